import { z } from 'zod';

// People read validation messages on forms and in API errors: zod's own messages in Dutch.
z.config(z.locales.nl());

export { z };
