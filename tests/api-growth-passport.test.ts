import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLink, readLink, revokeLink } from '../activities/access-links.js';
import { parseSpan } from '../domain/calendar.js';
import { STEP_EVIDENCE_LABELS, type StepEvidence } from '../domain/codes.js';
import { ConfigError, loadConfig } from '../infra/config.js';
import { api, json, page, submit, takeIn, until, type Person } from './support/http.js';
import { expandStrictly } from './support/json-ld.js';
import { startServedStack, type ServedStack } from './support/stack.js';

/**
 * The growth passport on the real stack: the participant (on their own page, with their signed
 * link) and the coach (on the participant page) tick validated steps and download them as a PDF
 * or as an Open Badges 3.0 credential signed with the organisation's key. The credential is
 * verified with jose — not the code that signs it — against the key set fetched over HTTP from
 * the URL in its `kid`; one changed byte breaks it. The PDF is parsed back with pdf.js (unpdf).
 * Neither holds anything but the chosen steps.
 */

let stack: ServedStack;
let base: string;
let siteId: string;
let coach: Person;
let otherCoach: Person;
let lotte: string;
let youssef: string;
let token: string;

/** The validated steps of Lotte (validated_at, evidence) and what must never show up in a passport. */
const CAFE = 'Zelf de kassa van het café opgemaakt, één week lang';
const SYNTRA = 'Cursus “boekhouden” bij Syntra afgerond – naïef?';
const VOEDSELBANK = 'Vrijwilliger bij de voedselbank met Ayşe en Łukasz';
const NOT_VALIDATED = 'Een sollicitatiebrief naar de bakkerij';
const EVIDENCE_NOTE = 'Attest nr. 4711 ligt in de kast van de coach';
const CRISIS_NOTE = 'Crisis: geen dak boven het hoofd in oktober';
const YOUSSEF_STEP = 'Youssef zijn stap in de fietsherstelplaats';

const steps: Record<string, { id: string; validatedAt: string; evidence: StepEvidence }> = {};

beforeAll(async () => {
  // The key's URL (kid) and the issuer's id are under PUBLIC_URL: this server, as in production.
  stack = await startServedStack();
  base = stack.base;
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  const staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  otherCoach = await stack.person('coach', siteId);
  lotte = await takeIn(stack, staff, siteId, { firstName: 'Lotte', lastName: 'Peeters', coachId: coach.id });
  youssef = await takeIn(stack, staff, siteId, { firstName: 'Youssef', lastName: 'El Amrani', coachId: otherCoach.id });

  await step(lotte, CAFE, { validatedAt: '2026-10-14T10:00:00Z', evidence: 'observed' });
  await step(lotte, SYNTRA, { validatedAt: '2026-11-03T15:30:00Z', evidence: 'certificate', evidenceNote: EVIDENCE_NOTE });
  await step(lotte, VOEDSELBANK, { validatedAt: '2026-11-20T09:00:00Z', evidence: 'partner' });
  await step(lotte, NOT_VALIDATED, {});
  await step(youssef, YOUSSEF_STEP, { validatedAt: '2026-11-01T09:00:00Z', evidence: 'work' });
  await stack.sql.query('insert into public.notes (participant_id, body) values ($1, $2)', [lotte, CRISIS_NOTE]);

  token = (await issueLink(stack.db, stack.config.LINK_SECRET, { participantId: lotte, siteId, purpose: 'participant_page', validity: stack.config.PARTICIPANT_LINK_VALIDITY })).token;
});
afterAll(async () => {
  await stack?.stop();
});

/** A step row as the workflow writes it (service role), with its text in public.notes; validated when given a date. */
async function step(participantId: string, text: string, o: { validatedAt?: string; evidence?: StepEvidence; evidenceNote?: string }) {
  const note = await stack.sql.query<{ id: string }>('insert into public.notes (participant_id, body) values ($1, $2) returning id', [participantId, text]);
  const evidenceNote = o.evidenceNote
    ? (await stack.sql.query<{ id: string }>('insert into public.notes (participant_id, body) values ($1, $2) returning id', [participantId, o.evidenceNote])).rows[0]!.id
    : null;
  const id = randomUUID();
  await stack.sql.query(
    `insert into public.steps (id, participant_id, site_id, path_run, status, registered_at, note_id, last_key, validated_at, validated_by, evidence, evidence_note_id)
     values ($1, $2, $3, 1, 'done', now(), $4, $5, $6, $7, $8, $9)`,
    [id, participantId, siteId, note.rows[0]!.id, `test/${id}`, o.validatedAt ?? null, o.validatedAt ? coach.id : null, o.evidence ?? null, evidenceNote],
  );
  if (o.validatedAt && o.evidence) steps[text] = { id, validatedAt: o.validatedAt, evidence: o.evidence };
  return id;
}

const idOf = (text: string) => steps[text]!.id;
const passportPath = (t: string) => `/mijn-pad/${t}/groeipaspoort`;
const download = (values: Record<string, string | string[]>, t = token) => submit(stack, passportPath(t), values);
const brussels = (iso: string) => new Intl.DateTimeFormat('nl-BE', { timeZone: 'Europe/Brussels', day: 'numeric', month: 'long', year: 'numeric' }).format(Date.parse(iso));
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

/** jose, with the key set it fetches over HTTP from the URL in the token's kid (without the fragment). */
async function verify(jwt: string): Promise<JWTPayload & Record<string, unknown>> {
  const kid = decodeProtectedHeader(jwt).kid!;
  const keys = createRemoteJWKSet(new URL(kid.split('#')[0]!));
  const { payload } = await jwtVerify(jwt, keys, { algorithms: ['ES256'], issuer: `${base}/groeipaspoort/uitgever` });
  return payload as JWTPayload & Record<string, unknown>;
}

/** The credential's achievement, results and evidence, as the tests read them. */
interface Credential {
  '@context': string[];
  id: string;
  type: string[];
  issuer: { id: string; type: string[]; name: string };
  validFrom: string;
  credentialSubject: {
    id: string;
    type: string[];
    identifier?: Array<{ type: string; identityType: string; hashed: boolean; identityHash: string }>;
    achievement: { id: string; type: string[]; name: string; description: string; criteria: { narrative: string }; resultDescription: Array<{ id: string; type: string[]; name: string; resultType: string }> };
    result: Array<{ type: string[]; resultDescription: string; status: string }>;
  };
  evidence: Array<{ type: string[]; name: string; description: string; genre: string }>;
}

function flip(text: string, at: number): string {
  const c = text[at]!;
  return text.slice(0, at) + (c === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

async function pdfText(body: ArrayBuffer): Promise<{ text: string; pages: number; size: number[] }> {
  const pdf = await getDocumentProxy(new Uint8Array(body));
  const first = await pdf.getPage(1);
  const { text } = await extractText(pdf, { mergePages: true });
  return { text: text.replace(/\s+/g, ' '), pages: pdf.numPages, size: [...first.view] };
}

describe('the participant chooses what goes into their growth passport', () => {
  it('lists their validated steps with a checkbox each, none chosen yet, and nothing that is not validated or not theirs', async () => {
    const res = await stack.app.request(`http://localhost/mijn-pad/${token}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Je groeipaspoort');
    for (const text of [CAFE, VOEDSELBANK]) expect(html).toContain(`value="${idOf(text)}"`);
    expect(html).toContain(SYNTRA);
    expect(html).not.toContain(YOUSSEF_STEP);
    expect(html).not.toContain(`value="${idOf(YOUSSEF_STEP)}"`);
    // The unvalidated step shows under "Je stappen" at most, never as a passport choice.
    expect((html.match(/name="stappen"/g) ?? []).length).toBe(3);
    expect(html).not.toMatch(/name="stappen"[^>]*checked/);
    expect(html).toMatch(/name="naam"[^>]*checked/);
  });

  it('downloads an Open Badges 3.0 credential with the chosen steps only, signed with the organisation key that jose verifies from the well-known URL', async () => {
    const res = await download({ stappen: [idOf(SYNTRA), idOf(CAFE)], naam: 'on', formaat: 'badge' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwt');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="groeipaspoort-${today()}.jwt"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const jwt = (await res.text()).trim();

    // The JOSE header OB 3.0 allows: alg, kid (a URI to the key), typ JWT, nothing else.
    const header = decodeProtectedHeader(jwt);
    expect(Object.keys(header).sort()).toEqual(['alg', 'kid', 'typ']);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(header.kid).toBe(`${base}/.well-known/jwks.json#local-development-1`);
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');

    const payload = await verify(jwt);
    const vc = payload as unknown as Credential;
    expect(vc['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(vc.type).toEqual(expect.arrayContaining(['VerifiableCredential', 'OpenBadgeCredential']));
    expect(vc.id).toMatch(/^urn:uuid:/);
    expect(vc.issuer).toMatchObject({ id: `${base}/groeipaspoort/uitgever`, type: ['Profile'], name: 'Stuyfplek' });
    // The registered claims mirror the credential, as OB 3.0's VC-JWT proof format asks.
    expect(payload.iss).toBe(vc.issuer.id);
    expect(payload.jti).toBe(vc.id);
    expect(payload.sub).toBe(vc.credentialSubject.id);
    expect(new Date(payload.nbf! * 1000).toISOString().replace('.000Z', 'Z')).toBe(vc.validFrom);
    // The issuer's id is its Profile.
    expect(await (await fetch(vc.issuer.id)).json()).toEqual(vc.issuer);

    const subject = vc.credentialSubject;
    expect(subject.type).toContain('AchievementSubject');
    expect(subject.id).toMatch(/^urn:uuid:/);
    expect(subject.id).not.toContain(lotte);
    expect(subject.identifier).toEqual([{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: 'Lotte Peeters' }]);
    expect(subject.achievement.type).toContain('Achievement');
    expect(subject.achievement.criteria.narrative).toBeTruthy();
    // One result description, result and evidence per chosen step, in the order they were validated.
    expect(subject.achievement.resultDescription.map((d) => d.name)).toEqual([CAFE, SYNTRA]);
    expect(subject.achievement.resultDescription.every((d) => d.type.includes('ResultDescription') && d.resultType === 'Status')).toBe(true);
    expect(subject.result.map((r) => r.resultDescription)).toEqual(subject.achievement.resultDescription.map((d) => d.id));
    expect(subject.result.every((r) => r.type.includes('Result') && r.status === 'Completed')).toBe(true);
    expect(vc.evidence).toEqual([
      { type: ['Evidence'], name: CAFE, description: `Gevalideerd op ${brussels(steps[CAFE]!.validatedAt)}`, genre: STEP_EVIDENCE_LABELS.observed },
      { type: ['Evidence'], name: SYNTRA, description: `Gevalideerd op ${brussels(steps[SYNTRA]!.validatedAt)}`, genre: STEP_EVIDENCE_LABELS.certificate },
    ]);

    // Every property is a term of the VC 2.0 and OB 3.0 contexts (JSON-LD expansion, offline);
    // the check bites on a guessed name, at the top and inside a typed object alike.
    const { iss: _iss, jti: _jti, nbf: _nbf, sub: _sub, ...credential } = payload;
    const expanded = JSON.stringify(await expandStrictly(credential));
    expect(expanded).toContain('https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject');
    expect(expanded).not.toContain('issuer-dependent');
    await expect(expandStrictly({ ...credential, passportKind: 'groei' })).rejects.toThrow(/Safe mode/);
    await expect(expandStrictly({ ...credential, evidence: [{ ...vc.evidence[0], evidenceKind: 'observed' }] })).rejects.toThrow(/Safe mode/);

    // Nothing else: not the unchosen or unvalidated steps, no other note, no ids of ours.
    const all = JSON.stringify(payload);
    for (const absent of [VOEDSELBANK, NOT_VALIDATED, EVIDENCE_NOTE, CRISIS_NOTE, YOUSSEF_STEP, lotte, idOf(CAFE), idOf(SYNTRA), 'oriëntatie', 'focus']) expect(all).not.toContain(absent);

    expect((await stack.sql.query("select 1 from public.access_link_views where link_id = $1 and action = 'passport_badge'", [readLink(stack.config.LINK_SECRET, token)!.linkId])).rowCount).toBe(1);
  });

  it('fails verification when one byte of the signature or of the payload changes', async () => {
    const jwt = (await (await download({ stappen: idOf(CAFE), formaat: 'badge' })).text()).trim();
    await expect(verify(jwt)).resolves.toBeTruthy();
    const [h, p, s] = jwt.split('.') as [string, string, string];

    // One character of the signature (in the middle: every bit of it counts).
    await expect(verify(`${h}.${p}.${flip(s, 20)}`)).rejects.toThrow(/signature verification failed/);
    // One byte of the payload: the step's text with one letter changed, encoded again.
    const text = Buffer.from(p, 'base64url').toString('utf8');
    const forged = Buffer.from(text.replace('kassa', 'kasse'), 'utf8').toString('base64url');
    expect(forged).not.toBe(p);
    await expect(verify(`${h}.${forged}.${s}`)).rejects.toThrow(/signature verification failed/);
    // One character of the encoded payload as it is.
    await expect(verify(`${h}.${flip(p, 40)}.${s}`)).rejects.toThrow();
    // The same credential signed with another P-256 key under the same kid.
    const { generateKeyPair, SignJWT } = await import('jose');
    const other = await generateKeyPair('ES256');
    const claims = JSON.parse(text) as JWTPayload;
    const impostor = await new SignJWT(claims).setProtectedHeader(decodeProtectedHeader(jwt) as { alg: string }).sign(other.privateKey);
    await expect(verify(impostor)).rejects.toThrow(/signature verification failed/);
  });

  it('without the name, the credential names nobody: the subject is only a fresh urn:uuid', async () => {
    const jwt = (await (await download({ stappen: idOf(VOEDSELBANK), formaat: 'badge' })).text()).trim();
    const vc = (await verify(jwt)) as unknown as Credential;
    expect(vc.credentialSubject.identifier).toBeUndefined();
    const { iss: _iss, jti: _jti, nbf: _nbf, sub: _sub, ...credential } = vc as unknown as Record<string, unknown>;
    await expect(expandStrictly(credential)).resolves.toBeTruthy();
    expect(JSON.stringify(vc)).not.toMatch(/Lotte|Peeters/);
    expect(vc.credentialSubject.achievement.resultDescription.map((d) => d.name)).toEqual([VOEDSELBANK]);
  });

  it('downloads a Dutch A4 PDF with the chosen steps, their dates and evidence, accents intact, and nothing else', async () => {
    const res = await download({ stappen: [idOf(SYNTRA), idOf(VOEDSELBANK)], formaat: 'pdf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="groeipaspoort-${today()}.pdf"`);
    const body = await res.arrayBuffer();
    expect(Buffer.from(body).subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages, size } = await pdfText(body);
    expect(pages).toBe(1);
    expect(size).toEqual([0, 0, 595.28, 841.89]);
    expect(text).toContain('Groeipaspoort');
    expect(text).toContain(SYNTRA);
    expect(text).toContain(VOEDSELBANK);
    expect(text).toContain(`Gevalideerd op ${brussels(steps[SYNTRA]!.validatedAt)} · ${STEP_EVIDENCE_LABELS.certificate}`);
    expect(text).toContain(`Gevalideerd op ${brussels(steps[VOEDSELBANK]!.validatedAt)} · ${STEP_EVIDENCE_LABELS.partner}`);
    for (const absent of [CAFE, NOT_VALIDATED, EVIDENCE_NOTE, CRISIS_NOTE, YOUSSEF_STEP, 'Lotte', 'Peeters']) expect(text).not.toContain(absent);
  });

  it('puts the name on the PDF when chosen', async () => {
    const res = await download({ stappen: idOf(CAFE), naam: 'on', formaat: 'pdf' });
    const { text } = await pdfText(await res.arrayBuffer());
    expect(text).toContain('van Lotte Peeters');
    expect(text).toContain(CAFE);
    expect(text).not.toContain(SYNTRA);
  });

  it('keeps every chosen step of a long passport, over several A4 pages', async () => {
    const staff = await stack.person('staff', siteId);
    const many = await takeIn(stack, staff, siteId, { firstName: 'Sam', coachId: coach.id });
    const texts = Array.from({ length: 28 }, (_, i) => `Stap ${i + 1}: een week lang op tijd in het atelier (${'é'.repeat((i % 3) + 1)})`);
    for (const [i, text] of texts.entries()) await step(many, text, { validatedAt: new Date(Date.UTC(2026, 9, 1 + i, 10)).toISOString(), evidence: 'group_moment' });
    const link = await issueLink(stack.db, stack.config.LINK_SECRET, { participantId: many, siteId, purpose: 'participant_page', validity: parseSpan('30 days') });
    const res = await download({ stappen: texts.map(idOf), formaat: 'pdf' }, link.token);
    expect(res.status).toBe(200);
    const { text, pages } = await pdfText(await res.arrayBuffer());
    expect(pages).toBeGreaterThan(1);
    for (const t of texts) expect(text).toContain(t);
  });

  it('refuses a passport without steps, with a step that is not theirs or not validated, or without a format, in Dutch on the form', async () => {
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ naam: 'on', formaat: 'pdf' }, 'Kies minstens één stap voor het groeipaspoort.'],
      [{ stappen: [idOf(CAFE), idOf(YOUSSEF_STEP)], formaat: 'badge' }, 'Een gekozen stap hoort niet bij dit groeipad of is niet gevalideerd.'],
      [{ stappen: randomUUID(), formaat: 'pdf' }, 'Een gekozen stap hoort niet bij dit groeipad of is niet gevalideerd.'],
      [{ stappen: idOf(CAFE), formaat: 'docx' }, 'Kies een pdf of een digitaal bewijs.'],
    ];
    const notValidated = (await stack.sql.query<{ id: string }>('select s.id from public.steps s join public.notes n on n.id = s.note_id where n.body = $1', [NOT_VALIDATED])).rows[0]!.id;
    cases.push([{ stappen: notValidated, formaat: 'badge' }, 'Een gekozen stap hoort niet bij dit groeipad of is niet gevalideerd.']);
    for (const [values, message] of cases) {
      const res = await download(values);
      expect(res.status, JSON.stringify(values)).toBe(422);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-disposition')).toBeNull();
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).not.toContain(YOUSSEF_STEP);
      // What was ticked stays ticked.
      if (values.naam) expect(html).toMatch(/name="naam"[^>]*checked/);
    }
  });

  it('answers a changed, expired or revoked link with the usual "Deze link werkt niet", and makes no passport', async () => {
    const expired = await issueLink(stack.db, stack.config.LINK_SECRET, {
      participantId: lotte,
      siteId,
      purpose: 'participant_page',
      validity: parseSpan('1 days'),
      now: Date.now() - 5 * 86_400_000,
    });
    const revoked = await issueLink(stack.db, stack.config.LINK_SECRET, { participantId: lotte, siteId, purpose: 'participant_page', validity: parseSpan('30 days') });
    await revokeLink(stack.db, revoked.id, coach.id);
    // Its address opened again (a reload after the form came back) goes to the page, at the form.
    const again = await stack.app.request(`http://localhost${passportPath(token)}`, { redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`/mijn-pad/${token}#groeipaspoort`);
    for (const bad of [flip(token, 30), expired.token, revoked.token]) {
      expect((await stack.app.request(`http://localhost${passportPath(bad)}`, { redirect: 'manual' })).status).toBe(404);
      const res = await download({ stappen: idOf(CAFE), formaat: 'badge' }, bad);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-disposition')).toBeNull();
      expect(await res.text()).toContain('Deze link werkt niet');
    }
  });
});

describe('a step validated through the path', () => {
  it('goes into the passport once the coach validates it (validateStep), with its evidence kind but not its evidence note', async () => {
    const staff = await stack.person('staff', siteId);
    const id = await takeIn(stack, staff, siteId, { firstName: 'Ward', lastName: 'Maes', coachId: coach.id });
    const act = (type: string, body: unknown) => api(stack, `/api/participants/${id}/actions/${type}`, { token: coach.token, body });
    const registered = await act('registerStep', { status: 'needed', note: 'Zelf de bus nemen naar de Stuyfplek' });
    expect(registered.status).toBe(200);
    const stepId = (await json<{ path: { steps: Array<{ id: string }> } }>(registered)).path.steps[0]!.id;
    await until(async () => ((await stack.sql.query('select 1 from public.steps where id = $1', [stepId])).rowCount ? true : undefined), 'the step row');
    const link = await issueLink(stack.db, stack.config.LINK_SECRET, { participantId: id, siteId, purpose: 'participant_page', validity: parseSpan('30 days') });

    // Not validated yet: not a choice for the passport.
    expect(await (await stack.app.request(`http://localhost/mijn-pad/${link.token}`)).text()).not.toContain(`value="${stepId}"`);
    expect((await download({ stappen: stepId, formaat: 'badge' }, link.token)).status).toBe(422);

    expect((await act('validateStep', { stepId, evidence: 'group_moment', note: 'Kwam drie weken op rij alleen, zei de chauffeur.' })).status).toBe(200);
    // The worker writes the validation just after the workflow decided it.
    await until(async () => ((await stack.sql.query('select 1 from public.steps where id = $1 and validated_at is not null', [stepId])).rowCount ? true : undefined), 'the validation');
    expect(await (await stack.app.request(`http://localhost/mijn-pad/${link.token}`)).text()).toContain(`value="${stepId}"`);
    const res = await download({ stappen: stepId, formaat: 'badge' }, link.token);
    expect(res.status).toBe(200);
    const vc = (await verify((await res.text()).trim())) as unknown as Credential;
    expect(vc.evidence).toEqual([{ type: ['Evidence'], name: 'Zelf de bus nemen naar de Stuyfplek', description: expect.stringMatching(/^Gevalideerd op \d{1,2} \w+ 20\d\d$/), genre: STEP_EVIDENCE_LABELS.group_moment }]);
    expect(JSON.stringify(vc)).not.toContain('chauffeur');
  });
});

describe('the coach downloads the passport on the participant’s behalf', () => {
  it('shows the same choice on the participant page and downloads a credential that verifies', async () => {
    const html = await (await page(stack, `/deelnemers/${lotte}`, coach.token)).text();
    expect(html).toContain('Groeipaspoort');
    expect(html).toContain(`value="${idOf(SYNTRA)}"`);
    const res = await submit(stack, `/deelnemers/${lotte}/groeipaspoort`, { stappen: idOf(SYNTRA), formaat: 'badge' }, { token: coach.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="groeipaspoort-${today()}.jwt"`);
    const vc = (await verify((await res.text()).trim())) as unknown as Credential;
    expect(vc.credentialSubject.achievement.resultDescription.map((d) => d.name)).toEqual([SYNTRA]);
    expect(vc.evidence.map((e) => e.genre)).toEqual([STEP_EVIDENCE_LABELS.certificate]);
    expect(JSON.stringify(vc)).not.toContain(CAFE);
  });

  it('downloads the PDF too, and refuses an empty choice or another participant’s step on the form', async () => {
    const pdf = await submit(stack, `/deelnemers/${lotte}/groeipaspoort`, { stappen: [idOf(CAFE)], naam: 'on', formaat: 'pdf' }, { token: coach.token });
    expect(pdf.status).toBe(200);
    const { text } = await pdfText(await pdf.arrayBuffer());
    expect(text).toContain(CAFE);
    expect(text).toContain('Lotte Peeters');
    expect(text).not.toContain(VOEDSELBANK);

    const empty = await submit(stack, `/deelnemers/${lotte}/groeipaspoort`, { formaat: 'pdf' }, { token: coach.token });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Kies minstens één stap voor het groeipaspoort.');
    const foreign = await submit(stack, `/deelnemers/${lotte}/groeipaspoort`, { stappen: idOf(YOUSSEF_STEP), formaat: 'badge' }, { token: coach.token });
    expect(foreign.status).toBe(422);
    expect(foreign.headers.get('content-disposition')).toBeNull();
  });

  it('is not for a coach who does not coach the participant', async () => {
    const res = await submit(stack, `/deelnemers/${lotte}/groeipaspoort`, { stappen: idOf(CAFE), formaat: 'badge' }, { token: otherCoach.token });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-disposition')).toBeNull();
  });
});

describe('the passport key is configuration', () => {
  it('publishes earlier keys beside the current one, so passports signed before a rotation keep verifying', async () => {
    const { generateKeyPair, exportJWK } = await import('jose');
    const old = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey);
    const config = loadConfig({ PUBLIC_URL: 'https://groeipad.example', PASSPORT_PREVIOUS_KEYS: JSON.stringify([{ ...old, kid: '2025-1' }]) });
    const { publishedKeys } = await import('../api/passport.js');
    expect(publishedKeys(config).keys.map((k) => k.kid)).toEqual(['https://groeipad.example/.well-known/jwks.json#local-development-1', 'https://groeipad.example/.well-known/jwks.json#2025-1']);
    expect(() => loadConfig({ PASSPORT_PREVIOUS_KEYS: JSON.stringify([{ ...old, kid: 'x', d: 'secret' }]) })).toThrow(ConfigError);
  });

  it('refuses a key that is not a P-256 private key, and production refuses the local one', () => {
    expect(() => loadConfig({ PASSPORT_SIGNING_KEY: 'not a key' })).toThrow(/PASSPORT_SIGNING_KEY/);
    const production = {
      GROEIPAD_ENV: 'production',
      SUPABASE_JWT_SECRET: 'x'.repeat(40),
      SUPABASE_SERVICE_ROLE_KEY: 'service',
      SUPABASE_ANON_KEY: 'anon',
      LINK_SECRET: 'y'.repeat(40),
    };
    expect(() => loadConfig(production)).toThrow(/PASSPORT_SIGNING_KEY/);
  });
});
