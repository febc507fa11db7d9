import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathUpdates, pathWorkflowId } from '../domain/messages.js';
import { createWorkers, type Workers } from '../worker/create-worker.js';
import { until } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Emails on real parts: the path workflow on the Temporal dev server, the worker in this process,
 * the Resend SDK against the outbox (which fails on demand), Postgres through PostgREST. Exactly
 * one email per event, whatever the provider or the worker does; an opt-out stops the rest.
 */

let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };
let coach: { id: string; token: string };
const extraWorkers: Array<{ worker: Workers; running: Promise<void> }> = [];

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site('Stuyfplek Post');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId, 'coach.post@stuyfplek.test');
});
afterAll(async () => {
  for (const { worker, running } of extraWorkers) {
    worker.shutdown();
    await running.catch(() => {});
  }
  await stack?.stop();
});

async function intake(o: { firstName: string; lastName: string; email: string; consentEmail?: boolean }): Promise<string> {
  const res = await stack.app.request('/api/intakes', {
    method: 'POST',
    headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ siteId, birthDate: '1979-11-02', consentEmail: true, referralSource: 'vdab', coachId: coach.id, ...o }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { participantId: string }).participantId;
}

/** A browser submitting our own form sends its Origin (the CSRF check reads it). */
const formPost = () => ({ method: 'POST', headers: { origin: new URL(stack.config.PUBLIC_URL).origin, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });

const to = (address: string) => stack.outbox.emails().filter((e) => e.to.includes(address));
/** The calls to the provider that carried an email for this address, with what it answered. */
const callsTo = (address: string) => stack.outbox.requests().filter((r) => r.to.includes(address));
const emailLog = async (participantId: string) =>
  (await stack.sql.query<{ template: string; status: string; reason: string | null }>('select template, status, reason from public.email_log where participant_id = $1 order by created_at', [participantId])).rows;

describe('exactly one email per event', () => {
  it('waits as long as a 429 asks (retry-after) and sends the welcome email once', async () => {
    stack.outbox.failNext({ status: 429, times: 1, retryAfterSeconds: 3, to: 'nora.wachttijd@example.be' });
    const started = Date.now();
    const participantId = await intake({ firstName: 'Nora', lastName: 'Wachttijd', email: 'nora.wachttijd@example.be' });
    const welcome = await until(async () => to('nora.wachttijd@example.be')[0], 'the welcome email');
    // The provider asked for 3 seconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(welcome.subject).toBe('Welkom in de Stuyfplek');
    await until(async () => ((await emailLog(participantId)).some((r) => r.template === 'welcome' && r.status === 'sent') ? true : undefined), 'the log');
    await until(async () => (to('coach.post@stuyfplek.test').length >= 1 ? true : undefined), 'the coach email');
    expect(to('nora.wachttijd@example.be')).toHaveLength(1);
    // One refused call and one accepted, both with the same batch (idempotency key).
    const calls = callsTo('nora.wachttijd@example.be');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2_900);
    expect(calls[1]!.idempotencyKey).toBe(calls[0]!.idempotencyKey);
  });

  it('survives 500s and a worker restart in the middle of the retries, and still sends once', async () => {
    stack.outbox.failNext({ status: 500, times: 2, to: 'omar.herstart@example.be' });
    const participantId = await intake({ firstName: 'Omar', lastName: 'Herstart', email: 'omar.herstart@example.be' });
    await until(async () => (callsTo('omar.herstart@example.be').length > 0 ? true : undefined), 'the first refused attempt');

    // The worker goes away while the delivery activity waits for its next attempt ...
    stack.worker.shutdown();
    await until(async () => (stack.worker.paths.getState() === 'STOPPED' && stack.worker.emails.getState() === 'STOPPED' ? true : undefined), 'the worker to stop');
    expect(to('omar.herstart@example.be')).toHaveLength(0);
    // ... and a new one (a new process, in production) takes over.
    const worker = await createWorkers(stack.config, { connection: stack.temporal.nativeConnection });
    extraWorkers.push({ worker, running: worker.run() });

    await until(async () => to('omar.herstart@example.be')[0], 'the welcome email after the restart', 30_000);
    await until(async () => ((await emailLog(participantId)).some((r) => r.template === 'welcome' && r.status === 'sent') ? true : undefined), 'the log');
    const handle = stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId));
    // A coach action after the restart is handled by the new worker, from the replayed state.
    const view = await handle.executeUpdate(pathUpdates.changePhase, { args: [{ by: coach.id, to: 'focus', reason: 'ready_for_next_step' }] });
    expect(view.phase).toBe('focus');
    await until(async () => ((await stack.sql.query("select 1 from public.phase_changes where participant_id = $1 and to_phase = 'focus'", [participantId])).rowCount ? true : undefined), 'the phase change');
    expect(to('omar.herstart@example.be')).toHaveLength(1);
    await until(async () => (to('coach.post@stuyfplek.test').length >= 2 ? true : undefined), 'the coach email');
    // Two refused calls and one accepted, all three the same batch.
    const calls = callsTo('omar.herstart@example.be');
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(1);
    const log = await emailLog(participantId);
    expect(log.filter((r) => r.template === 'welcome')).toEqual([{ template: 'welcome', status: 'sent', reason: null }]);
  });

  it('has sent every message at most once: one outbox email per sent log row, and the other way round', async () => {
    const emails = stack.outbox.emails();
    expect(new Set(emails.map((e) => e.idempotencyKey)).size).toBe(emails.length);
    const { rows } = await stack.sql.query<{ provider_id: string }>("select provider_id from public.email_log where status = 'sent'");
    expect(rows.map((r) => r.provider_id).sort()).toEqual(emails.map((e) => e.id).sort());
  });
});

describe('opting out', () => {
  let participantId: string;
  let optOutPath: string;

  beforeAll(async () => {
    participantId = await intake({ firstName: 'Lien', lastName: 'Afmelding', email: 'lien.afmelding@example.be' });
    const welcome = await until(async () => to('lien.afmelding@example.be')[0], 'the welcome email');
    const link = /Meld je af: (\S+)/.exec(welcome.text ?? '')?.[1];
    expect(link).toBeDefined();
    optOutPath = new URL(link!).pathname;
    expect(optOutPath).toMatch(new RegExp(`^/afmelden/${participantId}/`));
    expect(welcome.headers?.['List-Unsubscribe']).toBe(`<${link}>`);
    expect(welcome.html).toContain(`href="${link}"`);
  });

  it('shows a Dutch confirmation page with a button, and records nothing on a mere visit', async () => {
    const res = await stack.app.request(optOutPath);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('lang="nl-BE"');
    expect(page).toContain('Geen e-mails meer ontvangen?');
    expect(page).toMatch(/<form method="post">\s*<button type="submit">Ja, meld me af<\/button>/);
    const { rows } = await stack.sql.query('select opted_out_at from public.participants where id = $1', [participantId]);
    expect(rows).toEqual([{ opted_out_at: null }]);
  });

  it('refuses a link with a forged token', async () => {
    const forged = optOutPath.replace(/\/[^/]+$/, '/dGhpcyBpcyBub3QgYSB0b2tlbg');
    const res = await stack.app.request(forged, formPost());
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Deze link werkt niet');
    const { rows } = await stack.sql.query('select opted_out_at from public.participants where id = $1', [participantId]);
    expect(rows).toEqual([{ opted_out_at: null }]);
  });

  it('refuses a post from another site (CSRF) and records nothing', async () => {
    const res = await stack.app.request(optOutPath, { method: 'POST', headers: { origin: 'https://elders.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(res.status).toBe(403);
    const { rows } = await stack.sql.query('select opted_out_at from public.participants where id = $1', [participantId]);
    expect(rows).toEqual([{ opted_out_at: null }]);
  });

  it('records the opt-out once, and no email goes out after it', async () => {
    const res = await stack.app.request(optOutPath, formPost());
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Je bent afgemeld');
    const first = await stack.sql.query<{ opted_out_at: Date }>('select opted_out_at from public.participants where id = $1', [participantId]);
    expect(first.rows[0]!.opted_out_at).toBeInstanceOf(Date);
    const again = await stack.app.request(optOutPath, formPost());
    expect(again.status).toBe(200);
    const second = await stack.sql.query('select opted_out_at from public.participants where id = $1', [participantId]);
    expect(second.rows).toEqual(first.rows);

    // The coach signs a growth agreement: that would send a confirmation.
    const handle = stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId));
    await handle.executeUpdate(pathUpdates.changePhase, { args: [{ by: coach.id, to: 'focus', reason: 'ready_for_next_step' }] });
    await handle.executeUpdate(pathUpdates.signAgreement, { args: [{ by: coach.id, commitments: ['open_house'], privileges: [], goalNoteId: randomUUID() }] });
    const log = await until(async () => {
      const rows = await emailLog(participantId);
      return rows.some((r) => r.template === 'agreement_confirmation' && !['queued', 'sending'].includes(r.status)) ? rows : undefined;
    }, 'the agreement confirmation to be decided');
    expect(log.filter((r) => r.template === 'agreement_confirmation')).toEqual([{ template: 'agreement_confirmation', status: 'skipped', reason: 'opted_out' }]);
    expect(to('lien.afmelding@example.be').map((e) => e.subject)).toEqual(['Welkom in de Stuyfplek']);
  });

  it('lets a coach opt out of their own emails through the same kind of link', async () => {
    const coachEmail = await until(async () => to('coach.post@stuyfplek.test')[0], 'a coach email');
    const link = /Meld je af: (\S+)/.exec(coachEmail.text ?? '')?.[1];
    const res = await stack.app.request(new URL(link!).pathname, formPost());
    expect(res.status).toBe(200);
    const { rows } = await stack.sql.query('select email_opted_out_at is not null as out from public.profiles where id = $1', [coach.id]);
    expect(rows).toEqual([{ out: true }]);
  });
});
