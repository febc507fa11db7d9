import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../activities/index.js';
import { completeTask } from '../activities/tasks.js';
import * as codes from '../domain/codes.js';
import { activitiesFromConfig } from '../worker/create-worker.js';
import { DAY, fillPath, insertParticipant, type FilledPath } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The activities on the real database (Postgres through PostgREST with the service role) and the
 * real Resend SDK against the outbox: every path event lands in its own table, once per key,
 * however often the activity runs; tasks are completed; emails respect consent and opt-out.
 */

let stack: TestStack;
let activities: Activities;
let siteId: string;
let coach: { id: string; token: string };
let staff: { id: string; token: string };

beforeAll(async () => {
  stack = await startTestStack();
  activities = activitiesFromConfig(stack.config);
  siteId = await stack.site('Stuyfplek Activiteiten');
  coach = await stack.person('coach', siteId);
  staff = await stack.person('staff', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

const count = async (table: string, participantId: string) =>
  (await stack.sql.query<{ n: number }>(`select count(*)::int as n from public.${table} where participant_id = $1`, [participantId])).rows[0]!.n;

describe('recordEvent and createTask', () => {
  let filled: FilledPath;
  const start = Date.UTC(2025, 0, 10, 9);

  beforeAll(async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'jonas.activiteit@example.be' });
    // Every activity call three times: a retry, a replay after a worker crash, ...
    filled = await fillPath(stack, activities, { participantId, siteId, coachId: coach.id, start, times: 3 });
  });

  it('writes each event into its own table once per key, however often it runs', async () => {
    const p = filled.participantId;
    const expected: Record<string, number> = {
      paths: 1,
      path_events: filled.keys.length,
      phase_changes: 2,
      crises: 1,
      agreements: 1,
      agreement_renewals: 1,
      agreement_steps: 1,
      contacts: 1,
      attendance: 1,
      referrals_in: 1,
      referrals_out: 1,
      outflows: 1,
      aftercare: 1,
      tasks: 1,
      email_log: 1,
    };
    const actual: Record<string, number> = {};
    for (const table of Object.keys(expected)) actual[table] = await count(table, p);
    expect(actual).toEqual(expected);
    const coachEmails = await stack.sql.query('select status from public.email_log where key = $1', [filled.emailKeys[1]]);
    expect(coachEmails.rows).toEqual([{ status: 'sent' }]);
  });

  it('keeps what each event says: phases, the agreement, the step, the referral, outflow and aftercare', async () => {
    const p = filled.participantId;
    const q = async (text: string) => (await stack.sql.query(text, [p])).rows;
    expect(await q('select phase, status, ended_at is not null as ended from public.paths where participant_id = $1')).toEqual([
      { phase: 'focus', status: 'closed', ended: true },
    ]);
    expect(await q('select from_phase, to_phase, reason from public.phase_changes where participant_id = $1 order by id')).toEqual([
      { from_phase: null, to_phase: 'orientation', reason: null },
      { from_phase: 'orientation', to_phase: 'focus', reason: 'crisis' },
    ]);
    expect(await q('select kind, proposed_phase, moved, note_id is not null as has_note from public.crises where participant_id = $1')).toEqual([
      { kind: 'focus_crisis', proposed_phase: 'focus', moved: true, has_note: true },
    ]);
    expect(
      await q(
        "select status, renewals, to_char(start_date, 'YYYY-MM-DD') as start_date, to_char(end_date, 'YYYY-MM-DD') as end_date, commitments::text[] as commitments from public.agreements where participant_id = $1",
      ),
    ).toEqual([{ status: 'ended_by_outflow', renewals: 1, start_date: '2026-02-01', end_date: '2027-02-01', commitments: ['connectors_table', 'open_house'] }]);
    expect(await q('select id, status, last_key from public.agreement_steps where participant_id = $1')).toEqual([
      { id: filled.stepId, status: 'done', last_key: filled.keys[5] },
    ]);
    expect(await q('select partner, status, introduced_at is not null as introduced from public.referrals_out where participant_id = $1')).toEqual([
      { partner: 'vdab', status: 'introduced', introduced: true },
    ]);
    expect(await q('select source from public.referrals_in where participant_id = $1')).toEqual([{ source: 'ocmw' }]);
    expect(await q('select outflow_type from public.outflows where participant_id = $1')).toEqual([{ outflow_type: 'self_employed' }]);
    const aftercare = await q('select due_at, reconnected_at from public.aftercare where participant_id = $1');
    expect(aftercare).toEqual([{ due_at: new Date(start + 150 * DAY), reconnected_at: null }]);
    expect(await q("select to_char(moment_date, 'YYYY-MM-DD') as d, kind from public.attendance where participant_id = $1")).toEqual([
      { d: '2025-03-15', kind: 'connectors_table' },
    ]);
    expect(await q('select kind, status, assignee_id, cause from public.tasks where participant_id = $1')).toEqual([
      { kind: 'aftercare_reconnect', status: 'open', assignee_id: coach.id, cause: 'aftercare' },
    ]);
  });

  it('returns the same row on a retry: the first write wins', async () => {
    const before = await stack.sql.query('select id, changed_at from public.phase_changes where key = $1', [filled.keys[2]]);
    await activities.recordEvent({
      key: filled.keys[2]!,
      participantId: filled.participantId,
      siteId,
      pathRun: 1,
      event: { type: 'phase_changed', change: { at: start + 999 * DAY, from: 'orientation', to: 'focus', by: coach.id, reason: 'crisis' } },
    });
    const after = await stack.sql.query('select id, changed_at from public.phase_changes where key = $1', [filled.keys[2]]);
    expect(after.rows).toEqual(before.rows);
  });

  it('completes a task once, stamps who and when, and marks the aftercare reconnect done', async () => {
    const { rows } = await stack.sql.query<{ id: string }>('select id from public.tasks where key = $1', [filled.taskKey]);
    const taskId = rows[0]!.id;
    const first = await completeTask(stack.db, { taskId, by: coach.id });
    expect(first.outcome).toBe('completed');
    if (first.outcome !== 'completed') return;
    expect(first.task.status).toBe('done');
    expect(first.task.completed_by).toBe(coach.id);
    const again = await completeTask(stack.db, { taskId, by: staff.id });
    expect(again.outcome).toBe('already_closed');
    if (again.outcome === 'already_closed') expect(again.task.completed_by).toBe(coach.id);
    const aftercare = await stack.sql.query('select reconnected_at from public.aftercare where participant_id = $1', [filled.participantId]);
    expect(aftercare.rows[0].reconnected_at).toEqual(new Date(first.task.completed_at!));
    expect((await completeTask(stack.db, { taskId: randomUUID(), by: coach.id })).outcome).toBe('not_found');
  });
});

describe('re-entry and a new coach', () => {
  it('starts the next run, closes the earlier one, and hands open tasks to the new coach', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id });
    const other = await stack.person('coach', siteId);
    const base = { participantId, siteId };
    const t0 = Date.UTC(2025, 5, 1, 9);
    await activities.recordEvent({ ...base, key: `${participantId}/1/0/record/path_started`, pathRun: 1, event: { type: 'path_started', at: t0 - 30 * DAY, referralSource: 'vdab', phase: 'orientation', coachId: coach.id } });
    await activities.recordEvent({ ...base, key: `${participantId}/1/1/record/outflow_recorded`, pathRun: 1, event: { type: 'outflow_recorded', at: t0, outflowType: 'stopped', by: coach.id } });
    await activities.recordEvent({ ...base, key: `${participantId}/2/2/record/path_reentered`, pathRun: 2, event: { type: 'path_reentered', at: t0 + 10 * DAY, phase: 'focus', by: staff.id, previousRun: 1 } });
    await activities.recordEvent({
      ...base,
      key: `${participantId}/2/2/record/phase_changed`,
      pathRun: 2,
      event: { type: 'phase_changed', change: { at: t0 + 10 * DAY, from: null, to: 'focus', by: staff.id, reason: 're_entry' } },
    });
    await activities.createTask({ ...base, key: `${participantId}/2/3/task/check_in`, pathRun: 2, kind: 'check_in', dueAt: t0 + 20 * DAY, coachId: coach.id, cause: 'no_contact' });
    await activities.recordEvent({ ...base, key: `${participantId}/2/4/record/coach_assigned`, pathRun: 2, event: { type: 'coach_assigned', at: t0 + 21 * DAY, coachId: other.id, by: staff.id } });

    const paths = await stack.sql.query('select path_run, status, phase from public.paths where participant_id = $1 order by path_run', [participantId]);
    expect(paths.rows).toEqual([
      { path_run: 1, status: 'closed', phase: 'orientation' },
      { path_run: 2, status: 'active', phase: 'focus' },
    ]);
    const who = await stack.sql.query('select coach_id from public.participants where id = $1', [participantId]);
    expect(who.rows).toEqual([{ coach_id: other.id }]);
    const tasks = await stack.sql.query('select assignee_id from public.tasks where participant_id = $1', [participantId]);
    expect(tasks.rows).toEqual([{ assignee_id: other.id }]);
  });
});

describe('sendEmail', () => {
  const email = (participantId: string, key = `${participantId}/1/0/email/welcome/participant`) =>
    activities.sendEmail({ key, template: 'welcome', recipient: { participantId }, params: {} });
  const to = (address: string) => stack.outbox.emails().filter((e) => e.to.includes(address));

  it('sends nothing without consent, and says why', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'geen.toestemming@example.be', consent: false });
    expect(await email(participantId)).toEqual({ status: 'skipped', reason: 'no_consent' });
    expect(to('geen.toestemming@example.be')).toHaveLength(0);
    const log = await stack.sql.query('select status, reason from public.email_log where participant_id = $1', [participantId]);
    expect(log.rows).toEqual([{ status: 'skipped', reason: 'no_consent' }]);
  });

  it('sends nothing after an opt-out', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'afgemeld@example.be' });
    await stack.sql.query('update public.participants set opted_out_at = now() where id = $1', [participantId]);
    expect(await email(participantId)).toEqual({ status: 'skipped', reason: 'opted_out' });
    expect(to('afgemeld@example.be')).toHaveLength(0);
  });

  it('returns no contact details to the workflow, and logs no address', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, firstName: 'Griet', email: 'griet.resultaat@example.be' });
    const result = await email(participantId);
    expect(result.status).toBe('sent');
    expect(JSON.stringify(result)).not.toMatch(/griet/i);
    const log = await stack.sql.query('select * from public.email_log where participant_id = $1', [participantId]);
    expect(JSON.stringify(log.rows)).not.toMatch(/griet/i);
    expect(to('griet.resultaat@example.be')).toHaveLength(1);
  });

  it('sends once when a worker died between sending and logging (Resend idempotency key)', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'crash.venster@example.be' });
    const first = await email(participantId);
    // As if the worker died after Resend accepted the message but before the log said so.
    await stack.sql.query("update public.email_log set status = 'sending', provider_id = null where participant_id = $1", [participantId]);
    const second = await email(participantId);
    expect(second).toEqual(first);
    expect(to('crash.venster@example.be')).toHaveLength(1);
    const outboxEmail = to('crash.venster@example.be')[0]!;
    expect(outboxEmail.idempotencyKey).toBe(`${participantId}/1/0/email/welcome/participant`);
  });

  it('fails a bad address (422) for good, and records it without the address', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'kapot@example.be' });
    stack.outbox.failNext({ status: 422, times: 1 });
    const failure = await email(participantId).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).type).toBe('PermanentEmailFailure');
    const log = await stack.sql.query('select status, reason from public.email_log where participant_id = $1', [participantId]);
    expect(log.rows).toEqual([{ status: 'failed', reason: '422 validation_error' }]);
    expect(to('kapot@example.be')).toHaveLength(0);
  });

  it('asks to be retried after the time in retry-after on a 429, and sends nothing twice', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'druk@example.be' });
    stack.outbox.failNext({ status: 429, times: 1, retryAfterSeconds: 7 });
    const failure = (await email(participantId).catch((err: unknown) => err)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe('7 seconds');
    stack.outbox.failNext({ status: 500, times: 1 });
    const again = (await email(participantId).catch((err: unknown) => err)) as ApplicationFailure;
    expect(again.nonRetryable).toBe(false);
    expect(again.nextRetryDelay).toBeUndefined();
    expect((await email(participantId)).status).toBe('sent');
    expect(to('druk@example.be')).toHaveLength(1);
  });

  it('honours a coach opt-out too', async () => {
    const other = await stack.person('coach', siteId, 'coach.afgemeld@stuyfplek.test');
    await stack.sql.query('update public.profiles set email_opted_out_at = now() where id = $1', [other.id]);
    const result = await activities.sendEmail({ key: `digest-test/${other.id}`, template: 'coach_daily_digest', recipient: { coachId: other.id }, params: { due: 1, overdue: 0 } });
    expect(result).toEqual({ status: 'skipped', reason: 'opted_out' });
    expect(to('coach.afgemeld@stuyfplek.test')).toHaveLength(0);
  });
});

describe('codes', () => {
  const lists: Record<string, readonly string[]> = {
    phase: codes.PHASES,
    referral_source: codes.REFERRAL_SOURCES,
    crisis_kind: codes.CRISIS_KINDS,
    phase_change_reason: codes.PHASE_CHANGE_REASONS,
    group_moment_kind: codes.GROUP_MOMENT_KINDS,
    privilege: codes.PRIVILEGES,
    contact_kind: codes.CONTACT_KINDS,
    partner: codes.PARTNERS,
    referral_status: codes.REFERRAL_STATUSES,
    outflow_type: codes.OUTFLOW_TYPES,
    step_status: codes.STEP_STATUSES,
    task_kind: codes.TASK_KINDS,
    email_template: codes.EMAIL_TEMPLATES,
  };
  it.each(Object.entries(lists))('the database enum %s has exactly the codes of domain/codes.ts', async (name, values) => {
    const { rows } = await stack.sql.query<{ v: string[] }>(`select enum_range(null::public.${name})::text[] as v`);
    expect(rows[0]!.v).toEqual([...values]);
  });
});
