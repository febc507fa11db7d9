import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../activities/index.js';
import { completeTask } from '../activities/tasks.js';
import * as codes from '../domain/codes.js';
import * as esf from '../domain/esf.js';
import { activitiesFromConfig } from '../worker/create-worker.js';
import { DAY, fillPath, insertParticipant, until, type FilledPath } from './support/data-fixtures.js';
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
  activities = activitiesFromConfig(stack.config, stack.client);
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
      steps: 1,
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
    const coachEmail = await until(async () => {
      const { rows } = await stack.sql.query<{ status: string }>('select status from public.email_log where key = $1', [filled.emailKeys[1]]);
      return rows[0]?.status === 'queued' || rows[0]?.status === 'sending' ? undefined : rows;
    }, "the coach's email to be sent");
    expect(coachEmail).toEqual([{ status: 'sent' }]);
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
    expect(await q('select id, status, last_key from public.steps where participant_id = $1')).toEqual([
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
  it("records the participant's confirmation of the agreement once: a retry, even a second event, keeps the first time", async () => {
    const p = filled.participantId;
    const first = start + 35 * DAY;
    const confirm = (key: string, at: number) =>
      activities.recordEvent({ key, participantId: p, siteId, pathRun: 1, event: { type: 'agreement_confirmed', agreementId: filled.agreementId, at } });
    await confirm(`${p}/1/90/record/agreement_confirmed`, first);
    await confirm(`${p}/1/90/record/agreement_confirmed`, first);
    await confirm(`${p}/1/91/record/agreement_confirmed`, first + DAY);
    const { rows } = await stack.sql.query('select confirmed_at from public.agreements where id = $1', [filled.agreementId]);
    expect(rows).toEqual([{ confirmed_at: new Date(first) }]);
    const events = await stack.sql.query("select key from public.path_events where participant_id = $1 and type = 'agreement_confirmed' order by key", [p]);
    expect(events.rows).toEqual([{ key: `${p}/1/90/record/agreement_confirmed` }, { key: `${p}/1/91/record/agreement_confirmed` }]);
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

describe('emails through the outbox', () => {
  const welcome = (participantId: string, key = `${participantId}/1/0/email/welcome/participant`) =>
    activities.sendEmail({ key, template: 'welcome', recipient: { participantId }, params: {} });
  const to = (address: string) => stack.outbox.emails().filter((e) => e.to.includes(address));
  const requestsTo = (address: string) => stack.outbox.requests().filter((r) => r.to.includes(address));
  /** The email's row once the dispatcher has decided it (anything but queued or sending). */
  const decided = (key: string) =>
    until(async () => {
      const { rows } = await stack.sql.query<{ status: string; reason: string | null; provider_id: string | null; batch_id: string | null }>(
        'select status, reason, provider_id, batch_id from public.email_log where key = $1',
        [key],
      );
      return rows[0] && !['queued', 'sending'].includes(rows[0].status) ? rows[0] : undefined;
    }, `email ${key} to be decided`);

  it('queues the email and answers the workflow without contact details; the dispatcher sends it once', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, firstName: 'Griet', email: 'griet.resultaat@example.be' });
    const result = await welcome(participantId);
    expect(result).toEqual({ status: 'queued' });
    const row = await decided(`${participantId}/1/0/email/welcome/participant`);
    expect(row.status).toBe('sent');
    const [sent] = to('griet.resultaat@example.be');
    expect(sent?.id).toBe(row.provider_id);
    expect(sent?.text).toContain('Dag Griet,');
    const log = await stack.sql.query('select * from public.email_log where participant_id = $1', [participantId]);
    expect(JSON.stringify(log.rows)).not.toMatch(/griet/i);
    // Queued again (a retried activity): nothing new.
    expect(await welcome(participantId)).toEqual({ status: 'queued' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(to('griet.resultaat@example.be')).toHaveLength(1);
  });

  it('sends nothing without consent, and says why', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'geen.toestemming@example.be', consent: false });
    await welcome(participantId);
    expect(await decided(`${participantId}/1/0/email/welcome/participant`)).toMatchObject({ status: 'skipped', reason: 'no_consent', batch_id: null });
    expect(requestsTo('geen.toestemming@example.be')).toHaveLength(0);
  });

  it('sends nothing after an opt-out, also one that came after the email was queued', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'afgemeld@example.be' });
    await stack.sql.query('update public.participants set opted_out_at = now() where id = $1', [participantId]);
    await welcome(participantId);
    expect(await decided(`${participantId}/1/0/email/welcome/participant`)).toMatchObject({ status: 'skipped', reason: 'opted_out' });
    expect(requestsTo('afgemeld@example.be')).toHaveLength(0);
  });

  it('honours a coach opt-out too', async () => {
    const other = await stack.person('coach', siteId, 'coach.afgemeld@stuyfplek.test');
    await stack.sql.query('update public.profiles set email_opted_out_at = now() where id = $1', [other.id]);
    const key = `digest-test/${other.id}`;
    await activities.sendEmail({ key, template: 'coach_daily_digest', recipient: { coachId: other.id }, params: { due: 1, overdue: 0 } });
    expect(await decided(key)).toMatchObject({ status: 'skipped', reason: 'opted_out' });
    expect(requestsTo('coach.afgemeld@stuyfplek.test')).toHaveLength(0);
  });

  it('sends a batch once when the sender died between sending it and recording it (the batch id is the idempotency key)', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'crash.venster@example.be' });
    await welcome(participantId);
    const first = await decided(`${participantId}/1/0/email/welcome/participant`);
    // As if the worker died after Resend accepted the batch but before the log said so.
    await stack.sql.query("update public.email_log set status = 'sending', provider_id = null where batch_id = $1", [first.batch_id]);
    // Anything queued wakes the dispatcher, which finishes the unfinished batch first.
    const other = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'crash.buur@example.be' });
    await welcome(other);
    await decided(`${other}/1/0/email/welcome/participant`);
    expect(await decided(`${participantId}/1/0/email/welcome/participant`)).toEqual(first);
    expect(to('crash.venster@example.be')).toHaveLength(1);
    expect(requestsTo('crash.venster@example.be').map((r) => [r.status, r.idempotencyKey])).toEqual([
      [200, first.batch_id],
      [200, first.batch_id],
    ]);
  });

  it('fails a refused address (422) for good without holding up the rest of its batch, and logs no address', async () => {
    const bad = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'kapot@example.be' });
    const good = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'heel@example.be' });
    stack.outbox.failNext({ status: 422, times: 1, to: 'kapot@example.be' });
    await Promise.all([welcome(bad), welcome(good)]);
    expect(await decided(`${bad}/1/0/email/welcome/participant`)).toMatchObject({ status: 'failed', reason: '422 validation_error' });
    expect(await decided(`${good}/1/0/email/welcome/participant`)).toMatchObject({ status: 'sent' });
    expect(to('kapot@example.be')).toHaveLength(0);
    expect(to('heel@example.be')).toHaveLength(1);
  });

  it('waits as long as a 429 asks (retry-after), then sends the same batch once', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'druk@example.be' });
    stack.outbox.failNext({ status: 429, times: 1, retryAfterSeconds: 3, to: 'druk@example.be' });
    await welcome(participantId);
    const row = await decided(`${participantId}/1/0/email/welcome/participant`);
    expect(row.status).toBe('sent');
    const calls = requestsTo('druk@example.be');
    expect(calls.map((r) => r.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2_900);
    expect(new Set(calls.map((r) => r.idempotencyKey))).toEqual(new Set([row.batch_id]));
    expect(to('druk@example.be')).toHaveLength(1);
  });

  it('keeps a 500 from losing or doubling a batch: the activity is retried with the same batch', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId: coach.id, email: 'storing@example.be' });
    stack.outbox.failNext({ status: 500, times: 2, to: 'storing@example.be' });
    await welcome(participantId);
    const row = await decided(`${participantId}/1/0/email/welcome/participant`);
    expect(row.status).toBe('sent');
    expect(requestsTo('storing@example.be').map((r) => [r.status, r.idempotencyKey])).toEqual([
      [500, row.batch_id],
      [500, row.batch_id],
      [200, row.batch_id],
    ]);
    expect(to('storing@example.be')).toHaveLength(1);
  });

  it('sends many queued emails in batches of at most 100, one call per rate-limit slot', async () => {
    const ids = await Promise.all(Array.from({ length: 230 }, (_, i) => insertParticipant(stack, { siteId, coachId: coach.id, email: `veel${i}@example.be` })));
    const before = stack.outbox.requests().length;
    await Promise.all(ids.map((id) => welcome(id)));
    await until(async () => (ids.every((_, i) => to(`veel${i}@example.be`).length === 1) ? true : undefined), 'every email', 30_000);
    const calls = stack.outbox.requests().slice(before).filter((r) => r.to.some((a) => a.startsWith('veel')));
    // The outbox holds callers to the configured rate (a bucket of one second's calls): a sender
    // that did not pace its calls would get a 429 on the third one.
    expect(calls.every((r) => r.status === 200 && r.path === '/emails/batch' && r.to.length <= 100)).toBe(true);
    expect(calls.reduce((n, r) => n + r.to.length, 0)).toBe(230);
    // The limits themselves, not a count that depends on timing: never more than the batch size in
    // a call, never more calls in any second than the rate allows (a bucket holds one second's
    // calls, so at most 2 × rate in any window of one second), and at least the calls 230 needs.
    const rate = stack.config.EMAIL_RATE_LIMIT_PER_SECOND;
    expect(Math.max(...calls.map((r) => r.to.length))).toBeLessThanOrEqual(stack.config.EMAIL_BATCH_SIZE);
    for (const call of calls) expect(calls.filter((r) => r.at >= call.at && r.at < call.at + 1000).length).toBeLessThanOrEqual(2 * rate);
    expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(230 / stack.config.EMAIL_BATCH_SIZE));
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
    step_evidence: codes.STEP_EVIDENCE,
    task_kind: codes.TASK_KINDS,
    email_template: codes.EMAIL_TEMPLATES,
    esf_labour_status: esf.entryAnswers('labourStatus'),
    esf_education: esf.entryAnswers('education'),
    esf_gender: esf.entryAnswers('gender'),
    esf_yes_no: esf.entryAnswers('homeless'),
    esf_age_band: esf.ESF_AGE_BANDS,
    esf_situation: esf.ESF_SITUATIONS,
    esf_follow_up_answer: esf.ESF_FOLLOW_UP_ANSWERS,
    esf_result_kind: esf.ESF_RESULT_KINDS,
  };
  it.each(Object.entries(lists))('the database enum %s has exactly the codes of domain/codes.ts', async (name, values) => {
    const { rows } = await stack.sql.query<{ v: string[] }>(`select enum_range(null::public.${name})::text[] as v`);
    expect(rows[0]!.v).toEqual([...values]);
  });
});
