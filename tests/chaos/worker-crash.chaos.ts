import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonths, formatLocalDate, toLocalDate } from '../../domain/calendar.js';
import { pathQuery, pathWorkflowId } from '../../domain/messages.js';
import { emailsSettled, registerParticipants } from '../support/http.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { until } from '../support/until.js';

/**
 * kill -9 the worker in the middle of a burst and start it again: every due email and task
 * exactly once, no path stuck. The burst: agreements that end in ten days, signed now, so their
 * evaluation (one month before the end) is due at once for every participant.
 */

const PATHS = Number(process.env.CHAOS_PATHS ?? 60);
let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };
let coach: { id: string; token: string };

/** Emails per call: small, so the burst takes several calls and the kill lands in its middle. */
const BATCH = 10;

beforeAll(async () => {
  stack = await startTestStack({ EMAIL_BATCH_SIZE: String(BATCH) }, { worker: 'child' });
  siteId = await stack.site();
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, token: string, body: unknown) =>
  stack.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a worker killed mid-burst', () => {
  it('sends every due email and creates every task exactly once, and no path is stuck', async () => {
    // Ten days before its end: the evaluation (a month before the end) is due at once.
    const startDate = formatLocalDate(addDays(addMonths(toLocalDate(Date.now()), -12), 10));
    const ids = await registerParticipants(stack, { staff, siteId, coachId: coach.id, count: PATHS, lastName: 'Crash', withEmail: true });
    for (const id of ids) {
      expect((await post(`/api/participants/${id}/actions/changePhase`, coach.token, { to: 'focus', reason: 'ready_for_next_step' })).status).toBe(200);
    }
    // All agreements at once: the burst of evaluation tasks and emails follows.
    const signed = await Promise.all(ids.map((id) => post(`/api/participants/${id}/actions/signAgreement`, coach.token, { commitments: ['connectors_table'], startDate, note: 'Een eigen atelier.' })));
    expect(signed.map((r) => r.status)).toEqual(ids.map(() => 200));
    const endingSoon = () => stack.outbox.emails().filter((e) => e.subject.includes('loopt binnenkort af')).length;
    await until(async () => (endingSoon() >= 3 ? true : undefined), 'the burst to begin', 120_000, 20);
    stack.killWorker();
    const atKill = endingSoon();
    // The kill landed in the middle of the burst, not after it: some sent, most not yet.
    expect(atKill).toBeGreaterThanOrEqual(3);
    expect(atKill).toBeLessThan(PATHS);
    await new Promise((r) => setTimeout(r, 2000));
    stack.startWorker();

    // Queries wait for a live worker; until the new one is up they time out, and we ask again.
    await until(async () => {
      const views = await Promise.all(ids.map((id) => stack.client.workflow.getHandle(pathWorkflowId(id)).query(pathQuery).catch(() => null)));
      return views.every((v) => v?.agreement?.evaluationAt !== undefined) ? true : undefined;
    }, 'every path past its evaluation', 180_000, 250);
    await until(async () => (endingSoon() >= PATHS ? true : undefined), 'every ending-soon email', 180_000);
    // Everything queued is sent: a duplicate, if any were coming, would be here now.
    await emailsSettled(stack);

    const emails = stack.outbox.emails();
    for (let i = 0; i < PATHS; i += 1) {
      const mine = emails.filter((e) => e.to.includes(`crash${i}@example.be`)).map((e) => e.subject).sort();
      expect(mine).toEqual(['Je groeiovereenkomst is getekend', 'Je groeiovereenkomst loopt binnenkort af', 'Welkom in de Stuyfplek']);
    }
    const { rows } = await stack.sql.query<{ participant_id: string; n: number }>(
      "select participant_id, count(*)::int as n from public.tasks where kind = 'agreement_evaluation' group by participant_id",
    );
    expect(rows).toHaveLength(PATHS);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    process.stdout.write(`worker crash: killed with ${atKill}/${PATHS} ending-soon emails out; ${stack.outbox.attempts()} send attempts for ${emails.length} emails\n`);
  });
});
