import type { Context } from 'hono';
import type { ApiDeps, AppEnv } from './context.js';
import { passportCredential, passportFileName, signCredential, type PassportChoice } from './passport.js';
import { passportPdf } from './passport-pdf.js';

/** The growth passport as a download, for the participant's own page and the coach's participant page alike. */

export interface PassportFile {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  fileName: string;
}

/** The passport of a participant's choice, as a file: nothing goes in but the chosen steps (and the name, when chosen). */
export async function passportFile(deps: ApiDeps, participantId: string, choice: PassportChoice): Promise<PassportFile> {
  const now = new Date();
  let name: string | null = null;
  if (choice.withName) {
    const person = await deps.db.from('participants').select('first_name, last_name').eq('id', participantId).single();
    if (person.error) throw new Error(`passport: ${person.error.message}`);
    name = [person.data.first_name, person.data.last_name].filter(Boolean).join(' ').trim() || null;
  }
  const fileName = passportFileName(choice.format, now);
  if (choice.format === 'pdf') {
    const body = await passportPdf({ steps: choice.steps, name, issuerName: deps.config.PASSPORT_ISSUER_NAME, issuedAt: now });
    return { body: new Uint8Array(body), contentType: 'application/pdf', fileName };
  }
  const jwt = signCredential(deps.config, passportCredential(deps.config, { steps: choice.steps, name, now }));
  return { body: new TextEncoder().encode(jwt), contentType: 'application/jwt', fileName };
}

/** The file as a download, kept by no cache. */
export function sendPassport(c: Context<AppEnv>, file: PassportFile) {
  return c.body(file.body, 200, {
    'Content-Type': file.contentType,
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
}
