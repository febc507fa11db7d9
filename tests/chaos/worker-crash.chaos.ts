import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonths, formatLocalDate, toLocalDate } from '../../domain/calendar.js';
import { pathQuery, pathWorkflowId } from '../../domain/messages.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * kill -9 the worker in the middle of a burst and start it again: every due email and task
 * exactly once, no path stuck. The burst: agreements that end in ten days, signed now, so their
 * evaluation (one month before the end) is due at once for every participant.
 */

const PATHS = Number(process.env.CHAOS_PATHS ?? 60);
let stack: TestStack;
let siteId: string;
let staff: { token: string };
let coach: { id: string; token: string };

beforeAll(async () => {
  stack = await startTestStack({}, { worker: 'child' });
  siteId = await stack.site();
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, token: string, body: unknown) =>
  stack.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 180_000) {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a worker killed mid-burst', () => {
  it('sends every due email and creates every task exactly once, and no path is stuck', async () => {
    // Ten days before its end: the evaluation (a month before the end) is due at once.
    const startDate = formatLocalDate(addDays(addMonths(toLocalDate(Date.now()), -12), 10));
    const ids: string[] = [];
    for (let i = 0; i < PATHS; i += 1) {
      const res = await post('/api/intakes', staff.token, {
        siteId,
        firstName: `Deelnemer${i}`,
        lastName: 'Crash',
        birthDate: '1988-05-05',
        email: `deelnemer${i}@example.be`,
        consentEmail: true,
        referralSource: 'vdab',
        coachId: coach.id,
      });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { participantId: string }).participantId);
    }
    for (const id of ids) {
      expect((await post(`/api/participants/${id}/actions/changePhase`, coach.token, { to: 'focus', reason: 'ready_for_next_step' })).status).toBe(200);
      expect((await post(`/api/participants/${id}/actions/signAgreement`, coach.token, { commitments: ['connectors_table'], startDate })).status).toBe(200);
    }
    const endingSoon = () => stack.outbox.emails().filter((e) => e.subject.includes('loopt binnenkort af')).length;
    await until('the burst to begin', async () => endingSoon() >= 3, 120_000);
    stack.killWorker();
    const atKill = endingSoon();
    await new Promise((r) => setTimeout(r, 2000));
    stack.startWorker();

    // Queries wait for a live worker; until the new one is up they time out, and we ask again.
    await until('every path past its evaluation', async () => {
      const views = await Promise.all(ids.map((id) => stack.client.workflow.getHandle(pathWorkflowId(id)).query(pathQuery).catch(() => null)));
      return views.every((v) => v?.agreement?.evaluationAt !== undefined);
    });
    await until('every ending-soon email', async () => endingSoon() >= PATHS);
    // Give a duplicate, if any were coming, the time to arrive.
    await new Promise((r) => setTimeout(r, 3000));

    const emails = stack.outbox.emails();
    for (let i = 0; i < PATHS; i += 1) {
      const mine = emails.filter((e) => e.to.includes(`deelnemer${i}@example.be`)).map((e) => e.subject).sort();
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
