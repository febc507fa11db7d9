import { z } from 'zod';
// Only the Dutch locale: importing every locale would add them all to the workflow bundle.
import nl from 'zod/v4/locales/nl.js';

// People read validation messages on forms and in API errors: zod's own messages in Dutch, and
// a missing field simply "is verplicht" rather than a remark about types.
z.config({
  ...nl(),
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is verplicht' : undefined),
});

export { z };
