import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../activities/index.js';
import { pathUpdates, pathWorkflowId } from '../domain/messages.js';
import { activitiesFromConfig } from '../worker/create-worker.js';
import { ensureSchedules, SCHEDULE_IDS } from '../worker/schedules.js';
import type { CoachDigestResult } from '../workflows/coach-digest.js';
import type { MeetAndGreetResult } from '../workflows/meet-and-greet.js';
import { DAY, until } from './support/data-fixtures.js';
import { emailsSettled } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The two Temporal Schedules on the dev server (the time-skipping server has none): created
 * idempotently as the worker does at start, triggered by hand, their emails asserted in the outbox.
 */

let stack: TestStack;
let activities: Activities;
let siteId: string;
let staff: { id: string; token: string };
let coachA: { id: string; token: string };
let coachB: { id: string; token: string };
const people: Record<'active' | 'noConsent' | 'optedOut' | 'former' | 'forgotten', string> = {} as never;

beforeAll(async () => {
  stack = await startTestStack({ MEET_AND_GREET_LEAD: '3 weeks' });
  activities = activitiesFromConfig(stack.config, stack.client);
  siteId = await stack.site('Stuyfplek Planning');
  staff = await stack.person('staff', siteId);
  coachA = await stack.person('coach', siteId, 'coach.a@stuyfplek.test');
  coachB = await stack.person('coach', siteId, 'coach.b@stuyfplek.test');
  // Coach C has no tasks at all.
  await stack.person('coach', siteId, 'coach.c@stuyfplek.test');
});
afterAll(async () => {
  await stack?.stop();
});

async function intake(lastName: string, o: { consentEmail?: boolean; coachId?: string } = {}): Promise<string> {
  const res = await stack.app.request('/api/intakes', {
    method: 'POST',
    headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      siteId,
      firstName: 'Test',
      lastName,
      birthDate: '1990-01-01',
      email: `${lastName.toLowerCase()}@example.be`,
      consentEmail: o.consentEmail ?? true,
      referralSource: 'self',
      coachId: o.coachId ?? coachA.id,
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { participantId: string }).participantId;
}

/** The dispatcher has sent whatever a run queued. */
const quietPeriod = () => emailsSettled(stack);
const to = (address: string) => stack.outbox.emails().filter((e) => e.to.includes(address));

/** Triggers a schedule now and waits for the run it started. */
async function triggerAndWait<T>(scheduleId: string): Promise<T> {
  const handle = stack.temporal.client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  const action = await until(async () => {
    const actions = (await handle.describe()).info.recentActions;
    return actions.length > before ? actions[actions.length - 1] : undefined;
  }, `a run of ${scheduleId}`);
  const run = stack.temporal.client.workflow.getHandle(action.action.workflow.workflowId, undefined, { firstExecutionRunId: action.action.workflow.firstExecutionRunId });
  return (await run.result()) as T;
}

describe('the schedules', () => {
  it('are created at the first start and brought in line at every next one', async () => {
    const first = await ensureSchedules(stack.temporal.client, stack.config);
    expect(first).toEqual({ created: [SCHEDULE_IDS.meetAndGreet, SCHEDULE_IDS.coachDigest], updated: [] });
    const second = await ensureSchedules(stack.temporal.client, { ...stack.config, DIGEST_CRON: '30 7 * * 1-5' });
    expect(second).toEqual({ created: [], updated: [SCHEDULE_IDS.meetAndGreet, SCHEDULE_IDS.coachDigest] });

    const ids: string[] = [];
    for await (const schedule of stack.temporal.client.schedule.list()) ids.push(schedule.scheduleId);
    expect(ids.sort()).toEqual([SCHEDULE_IDS.coachDigest, SCHEDULE_IDS.meetAndGreet].sort());

    const digest = await stack.temporal.client.schedule.getHandle(SCHEDULE_IDS.coachDigest).describe();
    expect(digest.spec.timezone).toBe('Europe/Brussels');
    expect(digest.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(digest.action).toMatchObject({ type: 'startWorkflow', workflowType: 'coachDailyDigest', taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
    // Back to the configured time, as the worker's next start would do.
    await ensureSchedules(stack.temporal.client, stack.config);
    const meet = await stack.temporal.client.schedule.getHandle(SCHEDULE_IDS.meetAndGreet).describe();
    expect(meet.spec.calendars?.[0]).toMatchObject({ month: [{ start: 'SEPTEMBER', end: 'SEPTEMBER', step: 1 }], dayOfMonth: [{ start: 1, end: 1, step: 1 }] });
    // 1 September, 9:00 in Brussels (summer time: 7:00 UTC).
    expect(meet.info.nextActionTimes[0]?.toISOString()).toMatch(/^\d{4}-09-01T07:00:00\.000Z$/);
  });

  it('prepares participants and tasks', async () => {
    people.active = await intake('Actief');
    people.noConsent = await intake('Zondertoestemming', { consentEmail: false });
    people.optedOut = await intake('Afgemeld');
    people.former = await intake('Uitgestroomd', { coachId: coachB.id });
    people.forgotten = await intake('Vergeten');
    await until(async () => (to('actief@example.be').length && to('vergeten@example.be').length ? true : undefined), 'the welcome emails');

    await stack.sql.query('update public.participants set opted_out_at = now() where id = $1', [people.optedOut]);
    const path = (id: string) => stack.temporal.client.workflow.getHandle(pathWorkflowId(id));
    // A crisis: a coaching-conversation task for coach A, due now.
    await path(people.active).executeUpdate(pathUpdates.signalCrisis, { args: [{ by: coachA.id, kind: 'focus_crisis', move: false }] });
    await path(people.former).executeUpdate(pathUpdates.outflow, { args: [{ by: coachB.id, type: 'regular_job' }] });
    await path(people.forgotten).executeUpdate(pathUpdates.forget, { args: [{ by: staff.id }] });
    await until(
      async () => ((await stack.sql.query("select 1 from public.tasks where participant_id = $1 and kind = 'coaching_conversation'", [people.active])).rowCount ? true : undefined),
      'the crisis task',
    );
    await until(async () => ((await stack.sql.query("select 1 from public.paths where participant_id = $1 and status = 'aftercare'", [people.former])).rowCount ? true : undefined), 'the outflow');
    await until(async () => ((await stack.sql.query('select 1 from public.participants where id = $1 and erased_at is not null', [people.forgotten])).rowCount ? true : undefined), 'the erasure');

    // An overdue task for coach A; coach B has only a task for next week; coach C has none.
    const base = { participantId: people.active, siteId, pathRun: 1, cause: 'no_contact' };
    await activities.createTask({ ...base, key: `${people.active}/test/overdue`, kind: 'check_in', dueAt: Date.now() - 3 * DAY, coachId: coachA.id });
    await activities.createTask({ ...base, participantId: people.former, key: `${people.former}/test/later`, kind: 'referral_follow_up', dueAt: Date.now() + 7 * DAY, coachId: coachB.id });
  });

  it('the daily digest emails each coach with due or overdue tasks once, with the counts', async () => {
    const before = stack.outbox.emails().length;
    const result = await triggerAndWait<CoachDigestResult>(SCHEDULE_IDS.coachDigest);
    expect(result).toMatchObject({ coaches: 1, queued: 1, failed: 0 });
    const digests = await until(async () => (stack.outbox.emails().length > before ? stack.outbox.emails().slice(before) : undefined), 'the digest');
    expect(digests.map((e) => e.to)).toEqual([['coach.a@stuyfplek.test']]);
    expect(digests[0]!.subject).toBe('Je taken voor vandaag: 1 te doen, 1 achterstallig');
    expect(digests[0]!.text).toContain('Meld je af:');

    // The same day again: nothing new.
    const again = await triggerAndWait<CoachDigestResult>(SCHEDULE_IDS.coachDigest);
    expect(again).toMatchObject({ coaches: 1, queued: 1 });
    await quietPeriod();
    expect(stack.outbox.emails().slice(before)).toHaveLength(1);
    expect(to('coach.b@stuyfplek.test').filter((e) => e.subject.startsWith('Je taken'))).toHaveLength(0);
    expect(to('coach.c@stuyfplek.test')).toHaveLength(0);
  });

  it('the meet & greet invites active and former participants with consent who did not opt out, once a year', async () => {
    const before = stack.outbox.emails().length;
    const result = await triggerAndWait<MeetAndGreetResult>(SCHEDULE_IDS.meetAndGreet);
    expect(result).toMatchObject({ invited: 2, queued: 2, failed: 0 });
    const invitations = await until(async () => (stack.outbox.emails().length >= before + 2 ? stack.outbox.emails().slice(before) : undefined), 'the invitations');
    expect(invitations.map((e) => e.to[0]).sort()).toEqual(['actief@example.be', 'uitgestroomd@example.be']);
    for (const invitation of invitations) {
      expect(invitation.subject).toBe('Uitnodiging: de jaarlijkse meet & greet van de Stuyfplek');
      expect(invitation.text).toMatch(/Dit jaar is dat op \d{1,2} [a-z]+ \d{4}\./);
      expect(invitation.text).toContain('Meld je af:');
    }
    // The outbox has them a moment before the dispatcher records the batch as sent.
    await emailsSettled(stack);
    const { rows } = await stack.sql.query<{ n: number }>("select count(*)::int as n from public.email_log where template = 'meet_and_greet_invitation' and status = 'sent'");
    expect(rows[0]!.n).toBe(2);
    // Each site's own meet & greet: a moment at the site, with both invited to it.
    const moments = await stack.sql.query<{ n: number }>(
      "select count(*)::int as n from public.group_moment_invitations i join public.group_moments m on m.id = i.moment_id where m.kind = 'meet_and_greet' and i.participant_id = any($1)",
      [[people.active, people.former]],
    );
    expect(moments.rows[0]!.n).toBe(2);

    // A second run in the same year (a manual trigger, a catch-up) sends nothing twice.
    await triggerAndWait<MeetAndGreetResult>(SCHEDULE_IDS.meetAndGreet);
    await quietPeriod();
    expect(stack.outbox.emails().slice(before)).toHaveLength(2);
  });

  it('honours an opt-out between two invitations', async () => {
    await stack.sql.query('update public.participants set opted_out_at = now() where id = $1', [people.former]);
    const { data } = await stack.db.rpc('meet_and_greet_invitees');
    expect(data).toEqual([people.active]);
  });
});
