import { createPrivateKey, createPublicKey, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { STEP_EVIDENCE_LABELS, type StepEvidence } from '../domain/codes.js';
import type { Config } from '../infra/config.js';
import type { Db } from '../infra/supabase/client.js';
import type { FormValues } from './web/form-input.js';
import { formatDate } from './web/labels.js';

/**
 * The growth passport: the validated steps a participant chooses, and nothing else, as a
 * printable PDF (api/passport-pdf.ts) or as an Open Badges 3.0 OpenBadgeCredential signed with
 * the organisation's key (VC-JWT: a compact JWS, ES256, `kid` pointing into the JWKS the API
 * publishes at /.well-known/jwks.json). Only the step's own text (public.notes.body of its
 * note_id), its validation date and its evidence kind go in: no phase, no crisis, no referral,
 * no other note, not the evidence note.
 */

export interface PassportStep {
  id: string;
  /** The step in the participant's own words. */
  text: string;
  validatedAt: string;
  evidence: StepEvidence;
}

/** The participant's validated steps, oldest first: what the passport may hold. */
export async function validatedSteps(db: Db, participantId: string): Promise<PassportStep[]> {
  const steps = await db
    .from('steps')
    .select('id, note_id, validated_at, evidence')
    .eq('participant_id', participantId)
    .not('validated_at', 'is', null)
    .not('evidence', 'is', null)
    .order('validated_at', { ascending: true })
    .order('id', { ascending: true });
  if (steps.error) throw new Error(`validated steps: ${steps.error.message}`);
  const noteIds = steps.data.map((s) => s.note_id).filter((id): id is string => id !== null);
  const notes = noteIds.length ? await db.from('notes').select('id, body').eq('participant_id', participantId).in('id', noteIds) : null;
  if (notes?.error) throw new Error(`validated steps: ${notes.error.message}`);
  const text = new Map((notes?.data ?? []).map((n) => [n.id, n.body.trim()]));
  return steps.data.map((s) => ({
    id: s.id,
    text: (s.note_id ? text.get(s.note_id) : undefined) || `Een stap, gevalideerd op ${formatDate(s.validated_at)}`,
    validatedAt: s.validated_at!,
    evidence: s.evidence!,
  }));
}

export const PASSPORT_FORMATS = ['pdf', 'badge'] as const;
export type PassportFormat = (typeof PASSPORT_FORMATS)[number];

export interface PassportChoice {
  steps: PassportStep[];
  withName: boolean;
  format: PassportFormat;
}

/** The form's field names: the chosen steps (repeated), the name checkbox, the button pressed. */
export const PASSPORT_FIELDS = { steps: 'stappen', name: 'naam', format: 'formaat' } as const;

/**
 * What the person chose on the form, checked against their own validated steps: at least one,
 * and only theirs (a step id of anyone else, or of a step not validated, is refused).
 */
export function readPassportChoice(values: FormValues, own: PassportStep[]): { choice: PassportChoice } | { errors: Record<string, string> } {
  const raw = values[PASSPORT_FIELDS.steps];
  const ids = [...new Set((Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v) => v !== ''))];
  const errors: Record<string, string> = {};
  const byId = new Map(own.map((s) => [s.id, s]));
  if (ids.length === 0) errors[PASSPORT_FIELDS.steps] = 'Kies minstens één stap voor het groeipaspoort.';
  else if (ids.some((id) => !byId.has(id))) errors[PASSPORT_FIELDS.steps] = 'Een gekozen stap hoort niet bij dit groeipad of is niet gevalideerd. Kies opnieuw uit de lijst.';
  const format = values[PASSPORT_FIELDS.format];
  if (format !== 'pdf' && format !== 'badge') errors[PASSPORT_FIELDS.format] = 'Kies een pdf of een digitaal bewijs.';
  if (Object.keys(errors).length) return { errors };
  return {
    choice: {
      // In the order of the list (oldest first), whatever order the form sent them in.
      steps: own.filter((s) => ids.includes(s.id)),
      withName: values[PASSPORT_FIELDS.name] !== undefined && values[PASSPORT_FIELDS.name] !== '',
      format: format as PassportFormat,
    },
  };
}

/** "groeipaspoort-2026-11-29.pdf": the day of issue in Brussels. */
export function passportFileName(format: PassportFormat, at: Date): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return `groeipaspoort-${day}.${format === 'pdf' ? 'pdf' : 'jwt'}`;
}

// ---------------------------------------------------------------------------------------------
// The organisation's key and where it is published.

export const JWKS_PATH = '/.well-known/jwks.json';
export const ISSUER_PATH = '/groeipaspoort/uitgever';

const base = (config: Pick<Config, 'PUBLIC_URL'>) => config.PUBLIC_URL.replace(/\/$/, '');

/** A key id as it appears in `kid` and in the JWKS: a URI into the published key set. */
export function keyUri(config: Pick<Config, 'PUBLIC_URL'>, keyId: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(keyId) ? keyId : `${base(config)}${JWKS_PATH}#${keyId}`;
}

interface SigningKey {
  key: KeyObject;
  kid: string;
  publicJwk: JsonWebKey;
}

const keys = new WeakMap<Config, SigningKey>();

function signingKey(config: Config): SigningKey {
  let found = keys.get(config);
  if (!found) {
    const key = createPrivateKey(config.PASSPORT_SIGNING_KEY);
    const kid = keyUri(config, config.PASSPORT_KEY_ID);
    const { kty, crv, x, y } = createPublicKey(key).export({ format: 'jwk' });
    found = { key, kid, publicJwk: { kty, crv, x, y, kid, use: 'sig', alg: 'ES256' } };
    keys.set(config, found);
  }
  return found;
}

/** The JWKS at /.well-known/jwks.json: the current key and the earlier ones (public parts only). */
export function publishedKeys(config: Config): { keys: JsonWebKey[] } {
  const current = signingKey(config).publicJwk;
  const earlier = config.PASSPORT_PREVIOUS_KEYS.map(({ kty, crv, x, y, kid }) => ({ kty, crv, x, y, kid: keyUri(config, kid), use: 'sig', alg: 'ES256' }));
  return { keys: [current, ...earlier.filter((k) => k.kid !== current.kid)] };
}

/** The issuer: the organisation, as an Open Badges Profile (also served at its own id). */
export function issuerProfile(config: Config) {
  return { id: `${base(config)}${ISSUER_PATH}`, type: ['Profile'], name: config.PASSPORT_ISSUER_NAME, url: base(config) };
}

// ---------------------------------------------------------------------------------------------
// The credential.

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

const urn = () => `urn:uuid:${randomUUID()}`;

/** A date without milliseconds, as `validFrom` and `nbf` must agree to the second. */
const isoSeconds = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');

/**
 * The OpenBadgeCredential (Open Badges 3.0) of a passport. OB 3.0 gives a credential exactly one
 * `achievement`: here that is the passport itself, and each chosen step is one of its
 * `resultDescription`s (name: the step's text) with a `result` of status Completed on the
 * subject, and one `evidence` entry (name: the step's text; genre: the evidence kind;
 * description: the validation date). The subject is a fresh `urn:uuid` each time (no id of ours
 * that would link passports together), with the name as an IdentityObject only when chosen.
 */
export function passportCredential(config: Config, o: { steps: PassportStep[]; name: string | null; now: Date }) {
  const achievementId = urn();
  const described = o.steps.map((step, i) => ({ step, id: `${achievementId}#stap-${i + 1}` }));
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: urn(),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: issuerProfile(config),
    validFrom: isoSeconds(o.now),
    name: o.name ? `Groeipaspoort van ${o.name}` : 'Groeipaspoort',
    description: 'Stappen op het groeipad bij de Stuyfplek, elk gevalideerd door een coach. De deelnemer koos zelf welke stappen erin staan.',
    credentialSubject: {
      id: urn(),
      type: ['AchievementSubject'],
      ...(o.name ? { identifier: [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: o.name }] } : {}),
      achievement: {
        id: achievementId,
        type: ['Achievement'],
        name: 'Groeipaspoort',
        description: 'Kleine stappen die een deelnemer zette op het groeipad bij de Stuyfplek, een ontmoetingsplek waar mensen groeien naar activiteit, vrijwilligerswerk, een job of een eigen zaak.',
        criteria: {
          narrative:
            'Een coach van de Stuyfplek valideerde elke stap en legde vast wat ze aantoont (bijvoorbeeld: de coach zag het gebeuren, of een attest). De deelnemer koos zelf welke gevalideerde stappen in dit groeipaspoort staan.',
        },
        inLanguage: 'nl-BE',
        resultDescription: described.map(({ step, id }) => ({ id, type: ['ResultDescription'], name: step.text, resultType: 'Status' })),
      },
      result: described.map(({ id }) => ({ type: ['Result'], resultDescription: id, status: 'Completed' })),
    },
    evidence: described.map(({ step }) => ({
      type: ['Evidence'],
      name: step.text,
      description: `Gevalideerd op ${formatDate(step.validatedAt)}`,
      genre: STEP_EVIDENCE_LABELS[step.evidence],
    })),
  };
}

export type PassportCredential = ReturnType<typeof passportCredential>;

/**
 * The credential as a VC-JWT (OB 3.0 "JSON Web Token Proof Format"): header { alg: ES256, typ:
 * JWT, kid } and no other; the payload is the credential with iss = issuer.id, jti = id, nbf =
 * validFrom, sub = credentialSubject.id; signed with the organisation's key.
 */
export function signCredential(config: Config, credential: PassportCredential): string {
  const { key, kid } = signingKey(config);
  const header = { alg: 'ES256', typ: 'JWT', kid };
  const payload = {
    ...credential,
    iss: credential.issuer.id,
    jti: credential.id,
    nbf: Math.floor(Date.parse(credential.validFrom) / 1000),
    sub: credential.credentialSubject.id,
  };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
