import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateTypes, TYPES_FILE, TYPES_HEADER } from '../infra/supabase/generate-types.js';

/**
 * supabase/types.ts is generated from the migrations (`npm run db:types`) and committed: a
 * migration changed without regenerating it fails here, before code is typed against a schema
 * that no longer exists.
 */
describe('supabase/types.ts', () => {
  it('is what the migrations generate', async () => {
    const committed = await readFile(TYPES_FILE, 'utf8');
    expect(committed, 'run `npm run db:types` and commit supabase/types.ts').toBe(TYPES_HEADER + (await generateTypes()));
  }, 120_000);
});
