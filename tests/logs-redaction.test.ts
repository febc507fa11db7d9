import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optOutToken, optOutUrl } from '../activities/opt-out.js';
import { createLogger, loggablePath, scrubLine } from '../infra/logger.js';
import { RuntimeLogger } from '../worker/runtime-log.js';
import { api, emailsSettled, ORIGIN, submit, until, type Person } from './support/http.js';
import { onRuntimeLog } from './support/quiet-runtime.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The JSON log of a whole scenario — an intake, coach actions with notes, an email through the
 * outbox (its first batch refused by the provider, so the activity fails once and is retried),
 * the participant's own page through its link, the opt-out page, failing requests — written by
 * the API's logger and, forwarded like worker/runtime.ts does, by the Temporal runtime (SDK,
 * workflows, activities). Not one line holds the participant's name, address, notes or links'
 * tokens; and the lines are there: JSON, with the request id, the workflow id.
 */

const FIRST = 'Zebulon';
const LAST = 'Quaresma-Vandevelde';
const EMAIL = 'zebulon.quaresma@example.be';
const GOAL = 'Een eigen fietsatelier in Ledeberg';
const STEP = 'Een cursus lassen volgen';
const PAGE_TOKEN = /\/mijn-pad\/([A-Za-z0-9_-]{72})/;

let stack: TestStack;
const lines: string[] = [];
let stopListening: () => void = () => {};

const capture = new Writable({
  write(chunk: Buffer | string, _encoding, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

let participantId: string;
const tokens: string[] = [];
const requestIds: string[] = [];

beforeAll(async () => {
  const logger = createLogger({ level: 'debug', destination: capture, base: { service: 'test' } });
  // The worker's runtime is the test process's (tests/support/quiet-runtime.ts): its entries go
  // into the same log through the worker's adapter.
  const runtime = new RuntimeLogger(logger.child({ component: 'temporal' }));
  stopListening = onRuntimeLog((entry) => runtime.log(entry.level, entry.message, entry.meta));
  stack = await startTestStack({}, { logger });

  const siteId = await stack.site('Stuyfplek Ledeberg');
  const staff: Person = await stack.person('staff', siteId);
  const coach: Person = await stack.person('coach', siteId);
  // The provider refuses the first batch: the delivery activity fails once (a WARN with its error).
  stack.outbox.failNext({ status: 500, times: 1 });

  const intake = await api(stack, '/api/intakes', {
    token: staff.token,
    body: { siteId, firstName: FIRST, lastName: LAST, birthDate: '1991-03-17', email: EMAIL, phone: '0470 12 34 56', consentEmail: true, referralSource: 'ocmw', coachId: coach.id },
  });
  expect(intake.status).toBe(201);
  requestIds.push(intake.headers.get('x-request-id') ?? '');
  participantId = ((await intake.json()) as { participantId: string }).participantId;

  for (const [type, body] of [
    ['changePhase', { to: 'focus', reason: 'ready_for_next_step' }],
    ['signAgreement', { commitments: ['connectors_table'], privileges: ['space'], note: GOAL }],
    ['registerStep', { status: 'needed', note: STEP }],
  ] as const) {
    const res = await api(stack, `/api/participants/${participantId}/actions/${type}`, { token: coach.token, body });
    expect(res.status, type).toBe(200);
  }

  // The welcome email goes out through the outbox, after one refused attempt.
  const email = await until(async () => stack.outbox.emails().find((e) => e.to.includes(EMAIL)), 'the welcome email');
  await emailsSettled(stack);
  const fromEmail = PAGE_TOKEN.exec(email.text ?? '')?.[1];
  if (fromEmail) tokens.push(fromEmail);

  // The coach makes a link; the participant opens their page with it.
  const made = await submit(stack, `/deelnemers/${participantId}/eigen-pagina`, {}, { token: coach.token });
  expect(made.status).toBe(200);
  const token = PAGE_TOKEN.exec(await made.text())?.[1];
  expect(token).toBeDefined();
  tokens.push(token!);
  const view = await stack.app.request(`${ORIGIN}/mijn-pad/${token}?gedaan=akkoord`);
  expect(view.status).toBe(200);
  expect(await view.text()).toContain(FIRST);

  tokens.push(optOutToken(participantId, stack.config.SUPABASE_JWT_SECRET));
  expect((await stack.app.request(optOutUrl(ORIGIN, participantId, stack.config.SUPABASE_JWT_SECRET))).status).toBe(200);

  // Failing requests: a changed link, an intake the API refuses (with the address in it), no sign-in.
  const changed = `${token!.slice(0, -4)}AAAA`;
  tokens.push(changed);
  const refusedLink = await stack.app.request(`${ORIGIN}/mijn-pad/${changed}`);
  expect(refusedLink.status).toBe(404);
  requestIds.push(refusedLink.headers.get('x-request-id') ?? '');
  const invalid = await api(stack, '/api/intakes', { token: staff.token, body: { siteId, firstName: FIRST, lastName: LAST, email: EMAIL, birthDate: 'gisteren' } });
  expect(invalid.status).toBe(400);
  expect((await api(stack, `/api/participants/${participantId}`)).status).toBe(401);

  // The runtime's log is buffered (100 ms) before it is forwarded.
  await until(async () => (lines.some((l) => l.includes('email batch delivered')) ? true : undefined), 'the delivery activity\'s log line');
});

afterAll(async () => {
  stopListening();
  await stack?.stop();
});

describe('the JSON log of a whole scenario', () => {
  it('names no one: no name, address, phone, note or link token on any line', () => {
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    const secrets = [FIRST, LAST, 'Quaresma', EMAIL, 'zebulon.quaresma', '0470 12 34 56', GOAL, STEP, ...tokens];
    const leaks = lines.flatMap((line) => secrets.filter((s) => line.toLowerCase().includes(s.toLowerCase())).map((s) => `${s}: ${line}`));
    expect(leaks).toEqual([]);
  });

  it('is there: JSON lines, a request line per request with its id, the runtime with workflow ids', () => {
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const e of entries) {
      expect(typeof e.time).toBe('string');
      expect(typeof e.level).toBe('string');
      expect(typeof e.msg).toBe('string');
    }
    const requests = entries.filter((e) => e.msg === 'request');
    for (const id of requestIds) expect(requests.filter((e) => e.requestId === id), id).toHaveLength(1);
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', path: '/mijn-pad/:token', status: 200, ms: expect.any(Number) }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', path: '/mijn-pad/:token', status: 404 }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', path: `/afmelden/${participantId}/:token`, status: 200 }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'POST', path: '/api/intakes', status: 400 }));
    // The activities' lines carry their workflow and activity; the failed attempt is there too.
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'email batch delivered', activityType: 'deliverQueuedEmails', workflowId: expect.any(String), sent: expect.any(Number) }));
    expect(entries.some((e) => e.level === 'warn' && e.activityType === 'deliverQueuedEmails')).toBe(true);
    expect(entries.some((e) => e.component === 'temporal' && e.workflowId === `path-${participantId}`)).toBe(true);
  });
});

describe('the logger', () => {
  it('redacts personal keys at depth and masks addresses and tokens anywhere', () => {
    const out: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void out.push(line) } });
    logger.info({ participant: { first_name: 'Ann', contact: { email: 'ann@example.be' } }, headers: { authorization: 'Bearer x', cookie: 'y' } }, 'about ann@example.be');
    logger.warn({ err: new Error(`duplicate key (email)=(ann@example.be) at /mijn-pad/${'Ab1'.repeat(24)}`) }, 'failed');
    const joined = out.join('');
    expect(joined).not.toMatch(/Ann|ann@example|Bearer x|Ab1Ab1/);
    expect(JSON.parse(out[0]!)).toMatchObject({ participant: { first_name: '[redacted]', contact: { email: '[redacted]' } }, msg: 'about [email]' });
  });

  it('keeps ids readable', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(scrubLine(`path-${id} test-${id}`)).toBe(`path-${id} test-${id}`);
    expect(loggablePath(`/deelnemers/${id}`)).toBe(`/deelnemers/${id}`);
    expect(loggablePath('/doorverwijzing/abc/antwoord')).toBe('/doorverwijzing/:token/antwoord');
  });
});
