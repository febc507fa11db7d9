import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordAllInput } from '../activities/contract.js';
import type { Activities } from '../activities/index.js';
import { groupMomentEmailKey } from '../domain/codes.js';
import type { Effect, PathEvent } from '../domain/path-events.js';
import { NODE_REALTIME, supabaseClient } from '../infra/supabase/client.js';
import type { Database } from '../supabase/types.js';
import { activitiesOn, DAY, insertParticipant, PARTICIPANT_TABLES } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * A batch of a path's effects is written by one database function (public.record_path_effects)
 * in one PostgREST request and one transaction: whole or not at all, each row once however often
 * the batch runs, and every event type into the rows the activities wrote one request at a time
 * before (the expected rows below are what that code wrote).
 */

let stack: TestStack;
let activities: Activities;
let siteId: string;
let coach: { id: string; token: string };
let other: { id: string; token: string };
let staff: { id: string; token: string };
/** Every request the activities' client sent to PostgREST: "METHOD /path". */
const requests: string[] = [];
let wakes = 0;

beforeAll(async () => {
  stack = await startTestStack({}, { worker: 'none' });
  siteId = await stack.site('Stuyfplek Effecten');
  coach = await stack.person('coach', siteId);
  other = await stack.person('coach', siteId);
  staff = await stack.person('staff', siteId);
  // The worker's service-role client, with its requests counted.
  const db = createClient<Database>(stack.config.SUPABASE_URL, stack.config.SUPABASE_SERVICE_ROLE_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: NODE_REALTIME,
    global: {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        const url = input instanceof Request ? input.url : String(input);
        requests.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${new URL(url).pathname}`);
        return fetch(input, init);
      },
    },
  });
  activities = activitiesOn(stack, {
    db,
    wakeDispatcher: async () => {
      wakes += 1;
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  requests.length = 0;
  wakes = 0;
  // No dispatcher runs here: every test starts with it asleep, so a batch's email wakes it.
  await stack.sql.query('update private.email_dispatch set awake = false');
});

/**
 * The tables a path's effects write: every participant table but the ones only people write
 * (the person, notes, introductions), and the group moments' rows a path marks.
 */
const EFFECT_TABLES = [
  ...PARTICIPANT_TABLES.filter((t) => t !== 'participants' && t !== 'notes' && t !== 'referral_introductions'),
  'group_moment_invitations',
  'group_moment_attendance',
] as const;

/** Every row of the participant in every table the effects write, as JSON, in a stable order. */
async function snapshot(participantId: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of EFFECT_TABLES) {
    const { rows } = await stack.sql.query<{ r: unknown }>(`select to_jsonb(x) as r from public.${table} x where participant_id = $1 order by to_jsonb(x)::text`, [participantId]);
    out[table] = rows.map((row) => row.r);
  }
  const person = await stack.sql.query<{ r: unknown }>('select to_jsonb(p) as r from public.participants p where id = $1', [participantId]);
  out.participants = person.rows.map((row) => row.r);
  return out;
}

const total = (s: Record<string, unknown[]>) => Object.entries(s).reduce((n, [table, rows]) => n + (table === 'participants' ? 0 : rows.length), 0);

const batch = (participantId: string, effects: RecordAllInput['effects']): RecordAllInput => ({ participantId, siteId, effects });
const record = (participantId: string, run: number, seq: number, event: PathEvent): Extract<Effect, { type: 'record' }> => ({
  type: 'record',
  key: `${participantId}/${run}/${seq}/record/${event.type}`,
  pathRun: run,
  event,
});

describe('one round trip per batch', () => {
  it('writes a batch of records, tasks and emails of every kind with one request to PostgREST, and wakes the dispatcher once', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    const t0 = Date.UTC(2025, 3, 1, 8, 30, 0, 5);
    const agreementId = randomUUID();
    const effects: RecordAllInput['effects'] = [
      record(p, 1, 0, { type: 'path_started', at: t0, referralSource: 'vdab', phase: 'orientation', coachId: coach.id }),
      { type: 'task', key: `${p}/1/0/task/coaching_conversation`, pathRun: 1, kind: 'coaching_conversation', dueAt: t0 + DAY, coachId: coach.id, cause: 'intake' },
      { type: 'email', key: `${p}/1/0/email/welcome/participant`, template: 'welcome', recipient: { participantId: p }, params: {} },
      { type: 'email', key: `${p}/1/0/email/coach_new_participant/coach/${coach.id}`, template: 'coach_new_participant', recipient: { coachId: coach.id }, params: { participantId: p } },
      record(p, 1, 1, { type: 'contact_logged', at: t0 + 1000, kind: 'conversation', by: coach.id }),
      record(p, 1, 2, { type: 'phase_changed', change: { at: t0 + 2000, from: 'orientation', to: 'focus', by: coach.id, reason: 'ready_for_next_step' } }),
      record(p, 1, 3, {
        type: 'agreement_signed',
        agreement: { id: agreementId, coachId: coach.id, signedAt: t0 + 3000, startDate: '2025-04-01', endDate: '2026-04-01', commitments: ['open_house'], privileges: ['space'], status: 'active', renewals: 0 },
      }),
      record(p, 1, 4, { type: 'step_registered', agreementId, step: { id: randomUUID(), status: 'needed', at: t0 + 4000 }, by: coach.id }),
      record(p, 1, 5, { type: 'referral_out_changed', at: t0 + 5000, referral: { id: randomUUID(), partner: 'vdab', status: 'proposed', proposedAt: t0 + 5000 }, by: coach.id }),
      { type: 'task', key: `${p}/1/5/task/referral_follow_up`, pathRun: 1, kind: 'referral_follow_up', dueAt: t0 + 14 * DAY, coachId: coach.id, cause: 'referral' },
    ];
    await activities.recordAll(batch(p, effects));
    expect(requests).toEqual(['POST /rest/v1/rpc/record_path_effects_and_wake']);
    expect(wakes).toBe(1);
    const rows = await snapshot(p);
    expect(Object.fromEntries(Object.entries(rows).map(([t, r]) => [t, r.length]))).toMatchObject({
      paths: 1,
      path_events: 6,
      phase_changes: 2,
      agreements: 1,
      steps: 1,
      contacts: 1,
      referrals_in: 1,
      referrals_out: 1,
      tasks: 2,
      email_log: 1,
    });
    const coachEmail = await stack.sql.query('select template, coach_id, status from public.email_log where key = $1', [effects[3]!.key]);
    expect(coachEmail.rows).toEqual([{ template: 'coach_new_participant', coach_id: coach.id, status: 'queued' }]);
  });

  it('does not wake the dispatcher for a batch without emails, and sends nothing for an empty one', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    await activities.recordAll(batch(p, [record(p, 1, 0, { type: 'path_started', at: Date.now(), referralSource: 'self', phase: 'orientation', coachId: null })]));
    expect(requests).toHaveLength(1);
    expect(wakes).toBe(0);
    await activities.recordAll(batch(p, []));
    expect(requests).toHaveLength(1);
  });
});

describe('a batch is one transaction', () => {
  it('leaves nothing behind when its last effect fails, and a retry of the corrected batch writes each row once', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    const t0 = Date.UTC(2025, 4, 2, 9);
    const before = await snapshot(p);
    const effects = (assignee: string): RecordAllInput['effects'] => [
      record(p, 1, 0, { type: 'path_started', at: t0, referralSource: 'ocmw', phase: 'orientation', coachId: coach.id }),
      { type: 'email', key: `${p}/1/0/email/welcome/participant`, template: 'welcome', recipient: { participantId: p }, params: {} },
      record(p, 1, 1, { type: 'contact_logged', at: t0 + 1, kind: 'reply', by: coach.id }),
      record(p, 1, 2, { type: 'outflow_recorded', at: t0 + 2, outflowType: 'education', by: coach.id }),
      // The last effect: a task for someone who has no profile (a foreign key violation).
      { type: 'task', key: `${p}/1/2/task/aftercare_reconnect`, pathRun: 1, kind: 'aftercare_reconnect', dueAt: t0 + 90 * DAY, coachId: assignee, cause: 'aftercare' },
    ];
    const failed = await activities.recordAll(batch(p, effects(randomUUID()))).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(ApplicationFailure); // retried: the database may accept it later
    // The error names the effect that failed.
    expect((failed as Error).message).toContain(`${p}/1/2/task/aftercare_reconnect`);
    expect((failed as Error).message).toMatch(/foreign key/);
    expect(wakes).toBe(0);
    expect(await snapshot(p)).toEqual(before);

    const corrected = batch(p, effects(coach.id));
    await activities.recordAll(corrected);
    const once = await snapshot(p);
    await activities.recordAll(corrected);
    expect(await snapshot(p)).toEqual(once);
    expect(Object.fromEntries(Object.entries(once).map(([t, r]) => [t, r.length]))).toMatchObject({
      paths: 1,
      path_events: 3,
      phase_changes: 1,
      referrals_in: 1,
      contacts: 1,
      outflows: 1,
      aftercare: 1,
      tasks: 1,
      email_log: 1,
    });
  });

  it('refuses an event type it does not know for good (not retried), and writes nothing of its batch', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    const before = await snapshot(p);
    const unknown = { type: 'path_teleported', at: Date.now() } as unknown as PathEvent;
    const err = await activities
      .recordAll(batch(p, [record(p, 1, 0, { type: 'path_started', at: Date.now(), referralSource: 'self', phase: 'orientation', coachId: null }), record(p, 1, 1, unknown)]))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('UnknownPathEvent');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toContain('path_teleported');
    expect(await snapshot(p)).toEqual(before);
  });
});

describe('a batch run again', () => {
  it('writes every row once, also a referral that changed, a step registered twice and a first-seen time', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    const t0 = Date.UTC(2025, 5, 3, 10, 15, 30, 250);
    const stepId = randomUUID();
    const referralId = randomUUID();
    const agreementId = randomUUID();
    const first = batch(p, [
      record(p, 1, 0, { type: 'path_started', at: t0, referralSource: 'unizo', phase: 'orientation', coachId: coach.id }),
      record(p, 1, 1, {
        type: 'agreement_signed',
        agreement: { id: agreementId, coachId: coach.id, signedAt: t0 + 1, startDate: '2025-06-03', endDate: '2026-06-03', commitments: [], privileges: [], status: 'active', renewals: 0 },
      }),
      record(p, 1, 2, { type: 'step_registered', agreementId, step: { id: stepId, status: 'needed', at: t0 + 2 }, by: coach.id }),
      record(p, 1, 3, { type: 'referral_out_changed', at: t0 + 3, referral: { id: referralId, partner: 'vdab', status: 'proposed', proposedAt: t0 + 3 }, by: coach.id }),
    ]);
    const second = batch(p, [
      record(p, 1, 4, { type: 'step_registered', agreementId, step: { id: stepId, status: 'done', at: t0 + 4 }, by: coach.id }),
      // Accepted as the coach heard it: no time in the referral, so the first time it is seen.
      record(p, 1, 5, { type: 'referral_out_changed', at: t0 + 5, referral: { id: referralId, partner: 'vdab', status: 'accepted', proposedAt: t0 + 3 }, by: coach.id }),
      record(p, 1, 6, { type: 'agreement_renewed', at: t0 + 6, agreementId, startDate: '2026-06-03', endDate: '2027-06-03', renewals: 1 }),
      record(p, 1, 7, { type: 'step_validated', stepId, validation: { at: t0 + 7, by: coach.id, evidence: 'work' } }),
      { type: 'task', key: `${p}/1/7/task/check_in`, pathRun: 1, kind: 'check_in', dueAt: t0 + 30 * DAY, coachId: coach.id, cause: 'no_contact' },
      { type: 'email', key: `${p}/1/7/email/agreement_confirmation/participant`, template: 'agreement_confirmation', recipient: { participantId: p }, params: { agreementId } },
    ]);
    await activities.recordAll(first);
    await activities.recordAll(first);
    await activities.recordAll(second);
    const once = await snapshot(p);
    await new Promise((r) => setTimeout(r, 20)); // so that a second now() would differ
    await activities.recordAll(second);
    await activities.recordAll(second);
    expect(await snapshot(p)).toEqual(once);
    expect(total(once)).toBe(
      1 /* paths */ + 8 /* path_events */ + 1 /* phase_changes */ + 1 /* referrals_in */ + 1 /* agreements */ + 1 /* agreement_renewals */ + 1 /* steps */ + 1 /* referrals_out */ + 1 /* tasks */ + 1 /* email_log */,
    );
    const referral = await stack.sql.query('select status, last_key from public.referrals_out where id = $1', [referralId]);
    expect(referral.rows).toEqual([{ status: 'accepted', last_key: `${p}/1/5/record/referral_out_changed` }]);
    const step = await stack.sql.query('select status, last_key, evidence from public.steps where id = $1', [stepId]);
    expect(step.rows).toEqual([{ status: 'done', last_key: `${p}/1/4/record/step_registered`, evidence: 'work' }]);
  });
});

describe('only the service role', () => {
  it('may call record_path_effects: not anon, not a signed-in coach', async () => {
    const args = { p_participant: randomUUID(), p_site: siteId, p_workflow_id: 'path-x', p_effects: [] };
    const anon = supabaseClient(stack.config.SUPABASE_URL, stack.config.SUPABASE_ANON_KEY);
    const signedIn = supabaseClient(stack.config.SUPABASE_URL, stack.config.SUPABASE_ANON_KEY, coach.token);
    for (const client of [anon, signedIn]) {
      const { error } = await client.rpc('record_path_effects', args);
      expect(error?.code).toBe('42501');
    }
    const { rows } = await stack.sql.query<{ name: string; security_definer: boolean; config: string[] }>(
      `select p.oid::regprocedure::text as name, p.prosecdef as security_definer, p.proconfig as config
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where (n.nspname, p.proname) in (('public', 'record_path_effects'), ('private', 'record_path_event'), ('private', 'write_referral'), ('private', 'start_path_run'))
        order by 1`,
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row, row.name).toMatchObject({ security_definer: false, config: ['search_path=""'] });
    const grants = await stack.sql.query<{ name: string; role: string }>(
      `select p.proname as name, r.rolname as role
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(p.proacl) a join pg_roles r on r.oid = a.grantee
        where n.nspname in ('public', 'private') and p.proname in ('record_path_effects', 'record_path_event', 'write_referral', 'start_path_run')
          and a.privilege_type = 'EXECUTE' and r.rolname in ('anon', 'authenticated', 'service_role')
        order by 1, 2`,
    );
    expect(grants.rows.every((g) => g.role === 'service_role')).toBe(true);
    expect(grants.rows).toContainEqual({ name: 'record_path_effects', role: 'service_role' });
    // PUBLIC (grantee 0) may not execute it either.
    const publicGrant = await stack.sql.query(
      `select 1 from pg_proc p, aclexplode(p.proacl) a where p.proname = 'record_path_effects' and a.grantee = 0 and a.privilege_type = 'EXECUTE'`,
    );
    expect(publicGrant.rows).toEqual([]);
  });
});

describe('times', () => {
  it('are the instants the workflow sent, to the millisecond: the same the ISO strings named', async () => {
    const samples = [0, 1, 999, 1_000, -1, -86_400_001, 1_736_499_600_123, 1_736_499_600_999, 4_102_444_799_999, 253_402_300_799_999];
    for (let i = 0; i < 5_000; i += 1) samples.push(Math.floor(Math.random() * 4_102_444_800_000));
    const { rows } = await stack.sql.query<{ ms: string; iso: string }>(
      `select t.ms::text as ms, t.iso from unnest($1::numeric[], $2::timestamptz[]) as t(ms, iso) where private.ms_instant(t.ms) is distinct from t.iso`,
      [samples, samples.map((ms) => new Date(ms).toISOString())],
    );
    expect(rows).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// Every event type: the rows it writes, as the activities wrote them before one request at a time.

/** Every event type of domain/path-events.ts; a new one fails the type check until it is listed (and the test until it is written below). */
const EVENT_TYPES = Object.keys({
  path_started: true,
  phase_changed: true,
  crisis_signalled: true,
  agreement_signed: true,
  agreement_renewed: true,
  agreement_ended: true,
  agreement_confirmed: true,
  agreement_paused: true,
  agreement_resumed: true,
  contact_logged: true,
  attendance_logged: true,
  connectors_table_invited: true,
  step_registered: true,
  step_validated: true,
  crisis_confirmed: true,
  referral_out_changed: true,
  outflow_recorded: true,
  aftercare_reconnected: true,
  aftercare_due: true,
  aftercare_closed: true,
  path_reentered: true,
  coach_assigned: true,
  path_forgotten: true,
  referral_answered: true,
  esf_result_recorded: true,
} satisfies Record<PathEvent['type'], true>);

describe('every event type', () => {
  const written = new Set<string>();
  /** Dates as text and enum arrays as arrays; timestamptz as Date. */
  let types: pg.CustomTypesConfig;
  const D = (ms: number) => new Date(ms);

  beforeAll(async () => {
    const { rows } = await stack.sql.query<{ oid: number }>("select oid from pg_type where typname in ('_group_moment_kind', '_privilege')");
    const enumArrays = new Set(rows.map((r) => r.oid));
    // Enum labels are plain words: '{open_house,space}' needs no quoting rules.
    const textArray = (v: string) => (v === '{}' ? [] : v.slice(1, -1).split(','));
    types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 1082 ? (v: string) => v : enumArrays.has(oid) ? textArray : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
    };
  });

  /** The rows of a table that match, without generated ids. */
  async function rows(table: string, where: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
    const { rows: found } = await stack.sql.query({ text: `select * from public.${table} where ${where}`, values: params, types });
    const generated = ['phase_changes', 'crises', 'agreement_renewals', 'contacts', 'attendance', 'referrals_in', 'outflows', 'tasks', 'group_moment_invitations'];
    return found.map((r: Record<string, unknown>) => {
      if (!generated.includes(table)) return r;
      const { id: _id, ...rest } = r;
      return rest;
    });
  }

  /** Writes the effects as one batch and returns the events' keys; checks each event's audit row. */
  async function write(participantId: string, effects: RecordAllInput['effects']): Promise<string[]> {
    const from = new Date();
    await activities.recordAll(batch(participantId, effects));
    const to = new Date();
    const keys: string[] = [];
    for (const e of effects) {
      if (e.type !== 'record') continue;
      written.add(e.event.type);
      keys.push(e.key);
      const at = (e.event as { at?: unknown }).at;
      const audit = await rows('path_events', 'key = $1', [e.key]);
      expect(audit, e.key).toEqual([
        { key: e.key, participant_id: participantId, site_id: siteId, path_run: e.pathRun, type: e.event.type, payload: JSON.parse(JSON.stringify(e.event)), at: typeof at === 'number' ? D(at) : expect.any(Date) },
      ]);
      if (typeof at !== 'number') {
        const t = audit[0]!.at as Date;
        expect(t.getTime()).toBeGreaterThanOrEqual(from.getTime() - 1000);
        expect(t.getTime()).toBeLessThanOrEqual(to.getTime() + 1000);
      }
    }
    return keys;
  }

  const pathRow = (p: string, run: number, o: { phase: string; status: string; started: number; ended?: number }) => ({
    participant_id: p,
    path_run: run,
    site_id: siteId,
    phase: o.phase,
    status: o.status,
    started_at: D(o.started),
    ended_at: o.ended === undefined ? null : D(o.ended),
    workflow_id: `path-${p}`,
  });

  it('a whole path: intake, crisis, agreement, group moments, steps, referral, outflow, aftercare', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    const noteId = randomUUID();
    const agreementId = randomUUID();
    const stepId = randomUUID();
    const referralId = randomUUID();
    const t = (n: number) => Date.UTC(2025, 0, 10, 9, 0, 0, 123) + n * DAY + n; // odd milliseconds
    const base = { participant_id: p, site_id: siteId, path_run: 1 };
    let seq = 0;
    const rec = (event: PathEvent) => record(p, 1, seq++, event);

    // path_started
    let [k] = await write(p, [rec({ type: 'path_started', at: t(0), referralSource: 'vdab', phase: 'orientation', coachId: coach.id })]);
    expect(await rows('paths', 'participant_id = $1', [p])).toEqual([pathRow(p, 1, { phase: 'orientation', status: 'active', started: t(0) })]);
    expect(await rows('phase_changes', 'key = $1', [k])).toEqual([
      { key: k, ...base, from_phase: null, to_phase: 'orientation', reason: null, changed_by: null, changed_at: D(t(0)), note_id: null, crisis_signalled_at: null, agreement_choice: null },
    ]);
    expect(await rows('referrals_in', 'key = $1', [k])).toEqual([{ key: k, ...base, source: 'vdab', referred_at: D(t(0)) }]);

    // crisis_signalled
    [k] = await write(p, [rec({ type: 'crisis_signalled', crisis: { at: t(1), kind: 'focus_crisis', by: coach.id, proposed: 'focus', moved: false, noteId } })]);
    expect(await rows('crises', 'key = $1', [k])).toEqual([
      { key: k, ...base, kind: 'focus_crisis', signalled_by: coach.id, signalled_at: D(t(1)), proposed_phase: 'focus', moved: false, note_id: noteId, confirmed_at: null },
    ]);
    const crisisKey = k;

    // phase_changed (the move the crisis proposed, made later) and crisis_confirmed
    [k] = await write(p, [rec({ type: 'phase_changed', change: { at: t(2), from: 'orientation', to: 'focus', by: coach.id, reason: 'crisis', noteId, crisisAt: t(1) } })]);
    expect(await rows('phase_changes', 'key = $1', [k])).toEqual([
      { key: k, ...base, from_phase: 'orientation', to_phase: 'focus', reason: 'crisis', changed_by: coach.id, changed_at: D(t(2)), note_id: noteId, crisis_signalled_at: D(t(1)), agreement_choice: null },
    ]);
    expect(await rows('paths', 'participant_id = $1', [p])).toEqual([pathRow(p, 1, { phase: 'focus', status: 'active', started: t(0) })]);
    await write(p, [rec({ type: 'crisis_confirmed', at: t(2), crisisAt: t(1), kind: 'focus_crisis' })]);
    expect(await rows('crises', 'key = $1', [crisisKey])).toMatchObject([{ moved: true, confirmed_at: D(t(2)) }]);

    // connectors_table_invited: the next connectors table on or after the day in Brussels (the
    // 15th there, still the 14th in UTC), and its invitation email under staff's key.
    const moments: Record<string, string> = {};
    for (const date of ['2025-03-14', '2025-03-15', '2025-03-22']) {
      const m = await stack.sql.query<{ id: string }>(
        "insert into public.group_moments (site_id, kind, moment_date) values ($1, 'connectors_table', $2) returning id",
        [siteId, date],
      );
      moments[date] = m.rows[0]!.id;
    }
    const lateEvening = Date.UTC(2025, 2, 14, 23, 30);
    wakes = 0;
    await stack.sql.query('update private.email_dispatch set awake = false');
    [k] = await write(p, [rec({ type: 'connectors_table_invited', at: lateEvening })]);
    expect(wakes).toBe(1);
    expect(await rows('group_moment_invitations', 'key = $1', [k])).toEqual([
      { key: k, participant_id: p, site_id: siteId, kind: 'connectors_table', moment_id: moments['2025-03-15'], reason: 'focus_crisis', created_at: expect.any(Date) },
    ]);
    const invitationKey = groupMomentEmailKey('connectors_table', '2025-03-15', p);
    expect(await rows('email_log', 'participant_id = $1', [p])).toEqual([
      {
        key: invitationKey,
        template: 'group_moment_invitation',
        participant_id: p,
        coach_id: null,
        site_id: null,
        status: 'queued',
        reason: null,
        provider_id: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
        params: { kind: 'connectors_table', date: '2025-03-15' },
        batch_id: null,
        introduction_id: null,
      },
    ]);

    // agreement_signed, agreement_confirmed, agreement_renewed, agreement_paused, agreement_resumed
    [k] = await write(p, [
      rec({
        type: 'agreement_signed',
        agreement: {
          id: agreementId,
          coachId: coach.id,
          signedAt: t(3),
          startDate: '2025-01-13',
          endDate: '2026-01-13',
          commitments: ['open_house', 'connectors_table'],
          privileges: ['network', 'space'],
          goalNoteId: noteId,
          steps: [],
          status: 'active',
          renewals: 0,
        },
      }),
    ]);
    const agreement = {
      id: agreementId,
      key: k,
      ...base,
      coach_id: coach.id,
      signed_at: D(t(3)),
      start_date: '2025-01-13',
      end_date: '2026-01-13',
      commitments: ['open_house', 'connectors_table'],
      privileges: ['network', 'space'],
      goal_note_id: noteId,
      status: 'active',
      renewals: 0,
      ended_at: null,
      confirmed_at: null,
      paused_at: null,
    };
    expect(await rows('agreements', 'id = $1', [agreementId])).toEqual([agreement]);
    await write(p, [rec({ type: 'agreement_confirmed', agreementId, at: t(4) })]);
    expect(await rows('agreements', 'id = $1', [agreementId])).toEqual([{ ...agreement, confirmed_at: D(t(4)) }]);
    [k] = await write(p, [rec({ type: 'agreement_renewed', at: t(5), agreementId, startDate: '2026-01-13', endDate: '2027-01-13', renewals: 1 })]);
    expect(await rows('agreement_renewals', 'key = $1', [k])).toEqual([
      { key: k, agreement_id: agreementId, ...base, renewal: 1, start_date: '2026-01-13', end_date: '2027-01-13', renewed_at: D(t(5)) },
    ]);
    const renewed = { ...agreement, confirmed_at: D(t(4)), start_date: '2026-01-13', end_date: '2027-01-13', renewals: 1 };
    expect(await rows('agreements', 'id = $1', [agreementId])).toEqual([renewed]);
    await write(p, [rec({ type: 'agreement_paused', agreementId, at: t(6) })]);
    expect(await rows('agreements', 'id = $1', [agreementId])).toEqual([{ ...renewed, paused_at: D(t(6)) }]);
    await write(p, [rec({ type: 'agreement_resumed', agreementId, at: t(7), shift: { months: 0, days: 1 }, endDate: '2027-01-14' })]);
    expect(await rows('agreements', 'id = $1', [agreementId])).toEqual([{ ...renewed, end_date: '2027-01-14' }]);

    // contact_logged
    [k] = await write(p, [rec({ type: 'contact_logged', at: t(8), kind: 'conversation', by: coach.id, noteId })]);
    expect(await rows('contacts', 'key = $1', [k])).toEqual([{ key: k, ...base, kind: 'conversation', contact_at: D(t(8)), logged_by: coach.id, note_id: noteId }]);

    // attendance_logged from a moment's register: counted on the register once
    await stack.sql.query('insert into public.group_moment_attendance (moment_id, participant_id, site_id, registered_by) values ($1, $2, $3, $4)', [
      moments['2025-03-15'],
      p,
      siteId,
      coach.id,
    ]);
    [k] = await write(p, [rec({ type: 'attendance_logged', at: t(9), kind: 'connectors_table', date: '2025-03-15', by: coach.id, momentId: moments['2025-03-15'] })]);
    expect(await rows('attendance', 'key = $1', [k])).toEqual([{ key: k, ...base, kind: 'connectors_table', moment_date: '2025-03-15', logged_at: D(t(9)), logged_by: coach.id }]);
    expect(await rows('group_moment_attendance', 'participant_id = $1', [p])).toMatchObject([{ moment_id: moments['2025-03-15'], counted_at: D(t(9)) }]);

    // step_registered, then step_validated
    [k] = await write(p, [rec({ type: 'step_registered', agreementId, step: { id: stepId, status: 'needed', at: t(10), noteId }, by: coach.id })]);
    const step = {
      id: stepId,
      agreement_id: agreementId,
      ...base,
      status: 'needed',
      registered_at: D(t(10)),
      registered_by: coach.id,
      note_id: noteId,
      last_key: k,
      validated_at: null,
      validated_by: null,
      evidence: null,
      evidence_note_id: null,
    };
    expect(await rows('steps', 'id = $1', [stepId])).toEqual([step]);
    await write(p, [rec({ type: 'step_validated', stepId, validation: { at: t(11), by: coach.id, evidence: 'group_moment', noteId } })]);
    expect(await rows('steps', 'id = $1', [stepId])).toEqual([
      { ...step, status: 'done', validated_at: D(t(11)), validated_by: coach.id, evidence: 'group_moment', evidence_note_id: noteId },
    ]);

    // referral_out_changed: proposed, then introduced
    [k] = await write(p, [rec({ type: 'referral_out_changed', at: t(12), referral: { id: referralId, partner: 'vdab', status: 'proposed', proposedAt: t(12) }, by: coach.id })]);
    const referral = {
      id: referralId,
      ...base,
      partner: 'vdab',
      status: 'proposed',
      proposed_at: D(t(12)),
      introduced_at: null,
      updated_at: D(t(12)),
      updated_by: coach.id,
      note_id: null,
      last_key: k,
    };
    expect(await rows('referrals_out', 'id = $1', [referralId])).toEqual([referral]);
    [k] = await write(p, [
      rec({ type: 'referral_out_changed', at: t(13), referral: { id: referralId, partner: 'vdab', status: 'introduced', proposedAt: t(12), introducedAt: t(13), noteId }, by: coach.id }),
    ]);
    const introduced = { ...referral, status: 'introduced', introduced_at: D(t(13)), updated_at: D(t(13)), note_id: noteId, last_key: k };
    expect(await rows('referrals_out', 'id = $1', [referralId])).toEqual([introduced]);

    // A task (the referral's follow-up), then referral_answered: the partner's answer settles it.
    const followUp = { type: 'task' as const, key: `${p}/1/${seq}/task/referral_follow_up`, pathRun: 1, kind: 'referral_follow_up' as const, dueAt: t(14), coachId: coach.id, cause: `referral/${referralId}` };
    await write(p, [followUp]);
    const task = { key: followUp.key, ...base, kind: 'referral_follow_up', assignee_id: coach.id, due_at: D(t(14)), status: 'open', cause: followUp.cause, created_at: expect.any(Date), completed_at: null, completed_by: null };
    expect(await rows('tasks', 'key = $1', [followUp.key])).toEqual([task]);
    const answeredAt = new Date();
    [k] = await write(p, [
      rec({
        type: 'referral_answered',
        at: t(15),
        referral: { id: referralId, partner: 'vdab', status: 'accepted', proposedAt: t(12), introducedAt: t(13), noteId, partnerAnswer: { at: t(15), answer: 'accepted', linkId: randomUUID() } },
        settlesTask: `referral/${referralId}`,
      }),
    ]);
    expect(await rows('referrals_out', 'id = $1', [referralId])).toEqual([{ ...introduced, status: 'accepted', updated_at: D(t(15)), updated_by: null, last_key: k }]);
    const settled = await rows('tasks', 'key = $1', [followUp.key]);
    expect(settled).toEqual([{ ...task, status: 'done', completed_at: expect.any(Date), completed_by: null }]);
    expect((settled[0]!.completed_at as Date).getTime()).toBeGreaterThanOrEqual(answeredAt.getTime() - 1000);

    // coach_assigned: the new coach takes over what is still open (a check-in, in the same batch),
    // except staff's task to complete the ESF+ entry record, which stays unassigned (the site's staff).
    const checkIn = { type: 'task' as const, key: `${p}/1/${seq}/task/check_in`, pathRun: 1, kind: 'check_in' as const, dueAt: t(16), coachId: coach.id, cause: 'no_contact' };
    await stack.sql.query(
      "insert into public.tasks (key, participant_id, site_id, path_run, kind, assignee_id, due_at, cause) values ($1, $2, $3, 1, 'esf_entry_incomplete', null, now(), 'esf_entry')",
      [`esf_entry_incomplete/${p}`, p, siteId],
    );
    await write(p, [checkIn, rec({ type: 'coach_assigned', at: t(16), coachId: other.id, by: staff.id })]);
    expect((await stack.sql.query('select coach_id from public.participants where id = $1', [p])).rows).toEqual([{ coach_id: other.id }]);
    expect(await rows('tasks', 'participant_id = $1 order by kind', [p])).toMatchObject([
      { key: checkIn.key, status: 'open', assignee_id: other.id },
      { key: followUp.key, status: 'done', assignee_id: coach.id },
      { key: `esf_entry_incomplete/${p}`, status: 'open', assignee_id: null },
    ]);

    // outflow_recorded, then a reconnect task, aftercare_due and aftercare_closed (reached)
    // ESF+: the leaving's window end and follow-up day, as the path computed them, kept as they come.
    [k] = await write(p, [rec({ type: 'outflow_recorded', at: t(17), outflowType: 'self_employed', by: coach.id, noteId, resultWindowEnds: '2025-02-24', followUpOn: '2025-07-27' })]);
    expect(await rows('outflows', 'key = $1', [k])).toEqual([
      { key: k, ...base, outflow_type: 'self_employed', outflow_at: D(t(17)), recorded_by: coach.id, note_id: noteId, result_window_ends: '2025-02-24', follow_up_on: '2025-07-27' },
    ]);
    const aftercare = { participant_id: p, path_run: 1, site_id: siteId, outflow_at: D(t(17)), due_at: null, due_key: null, reconnected_at: null, outcome: null };
    expect(await rows('aftercare', 'participant_id = $1', [p])).toEqual([aftercare]);
    expect(await rows('paths', 'participant_id = $1', [p])).toEqual([pathRow(p, 1, { phase: 'focus', status: 'aftercare', started: t(0) })]);
    const reconnect = { type: 'task' as const, key: `${p}/1/${seq}/task/aftercare_reconnect`, pathRun: 1, kind: 'aftercare_reconnect' as const, dueAt: t(18), coachId: other.id, cause: 'aftercare' };
    const [dueKey] = await write(p, [reconnect, rec({ type: 'aftercare_due', at: t(18) })]);
    expect(await rows('aftercare', 'participant_id = $1', [p])).toEqual([{ ...aftercare, due_at: D(t(18)), due_key: dueKey }]);
    await write(p, [rec({ type: 'aftercare_closed', at: t(19), outcome: 'reached', settlesTask: 'aftercare', by: other.id })]);
    expect(await rows('aftercare', 'participant_id = $1', [p])).toEqual([{ ...aftercare, due_at: D(t(18)), due_key: dueKey, reconnected_at: D(t(19)), outcome: 'reached' }]);
    expect(await rows('tasks', 'key = $1', [reconnect.key])).toMatchObject([{ status: 'done', completed_at: D(t(19)), completed_by: other.id }]);
    expect(await rows('paths', 'participant_id = $1', [p])).toEqual([pathRow(p, 1, { phase: 'focus', status: 'closed', started: t(0), ended: t(19) })]);
  });

  it('a re-entry: the earlier run closes, the new one starts with its referral; a step that travels; forgotten', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    const u = (n: number) => Date.UTC(2025, 6, 1, 7, 45, 10, 1) + n * DAY;
    let seq = 0;
    await write(p, [
      record(p, 1, seq++, { type: 'path_started', at: u(0), referralSource: 'ocmw', phase: 'orientation', coachId: coach.id }),
      // "by" is not a person here: no one is named.
      record(p, 1, seq++, { type: 'outflow_recorded', at: u(1), outflowType: 'stopped', by: 'system' }),
    ]);
    // An outflow without ESF+ days (recorded before, or by a run from before the ESF+ timers): null.
    expect(await rows('outflows', 'participant_id = $1', [p])).toMatchObject([{ recorded_by: null, note_id: null, result_window_ends: null, follow_up_on: null }]);
    const [k] = await write(p, [record(p, 2, seq++, { type: 'path_reentered', at: u(2), phase: 'focus', by: staff.id, previousRun: 1, referralSource: 'vdab' })]);
    expect(await rows('paths', 'participant_id = $1 order by path_run', [p])).toEqual([
      pathRow(p, 1, { phase: 'orientation', status: 'closed', started: u(0), ended: u(2) }),
      pathRow(p, 2, { phase: 'focus', status: 'active', started: u(2) }),
    ]);
    expect(await rows('referrals_in', 'participant_id = $1 order by path_run', [p])).toEqual([
      { key: `${p}/1/0/record/path_started`, participant_id: p, site_id: siteId, path_run: 1, source: 'ocmw', referred_at: D(u(0)) },
      { key: k, participant_id: p, site_id: siteId, path_run: 2, source: 'vdab', referred_at: D(u(2)) },
    ]);

    // A step set in the first run, registered again in the second: it keeps its run; no agreement.
    const stepId = randomUUID();
    const [stepKey] = await write(p, [record(p, 2, seq++, { type: 'step_registered', step: { id: stepId, status: 'done', at: u(3), pathRun: 1 }, by: 'intake' })]);
    expect(await rows('steps', 'id = $1', [stepId])).toEqual([
      {
        id: stepId,
        agreement_id: null,
        participant_id: p,
        site_id: siteId,
        path_run: 1,
        status: 'done',
        registered_at: D(u(3)),
        registered_by: null,
        note_id: null,
        last_key: stepKey,
        validated_at: null,
        validated_by: null,
        evidence: null,
        evidence_note_id: null,
      },
    ]);

    await write(p, [record(p, 2, seq++, { type: 'path_forgotten', at: u(4), by: staff.id, reason: 'participant_request' })]);
    expect(await rows('paths', 'participant_id = $1 order by path_run', [p])).toEqual([
      pathRow(p, 1, { phase: 'orientation', status: 'closed', started: u(0), ended: u(2) }),
      pathRow(p, 2, { phase: 'focus', status: 'forgotten', started: u(2), ended: u(4) }),
    ]);
  });

  it('histories from before: a start without its time, a renewal without its time, aftercare closed when the task fell due', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    // The intake's row, to the microsecond; the path's start takes it to the millisecond, as Date.parse did.
    await stack.sql.query("update public.participants set created_at = '2025-01-10 09:00:00.123456+00' where id = $1", [p]);
    const intake = Date.UTC(2025, 0, 10, 9, 0, 0, 123);
    const v = (n: number) => intake + n * DAY;
    const agreementId = randomUUID();
    let seq = 0;
    const [k] = await write(p, [record(p, 1, seq++, { type: 'path_started', referralSource: 'self', phase: 'orientation', coachId: null } as unknown as PathEvent)]);
    expect(await rows('paths', 'participant_id = $1', [p])).toEqual([pathRow(p, 1, { phase: 'orientation', status: 'active', started: intake })]);
    expect(await rows('phase_changes', 'key = $1', [k])).toMatchObject([{ changed_at: D(intake) }]);
    expect(await rows('referrals_in', 'key = $1', [k])).toMatchObject([{ source: 'self', referred_at: D(intake) }]);

    const before = new Date();
    const [, renewalKey] = await write(p, [
      record(p, 1, seq++, {
        type: 'agreement_signed',
        agreement: { id: agreementId, coachId: 'intake', signedAt: v(1), startDate: '2025-01-11', endDate: '2026-01-11', commitments: [], privileges: [], status: 'active', renewals: 0 },
      }),
      record(p, 1, seq++, { type: 'agreement_renewed', agreementId, startDate: '2026-01-11', endDate: '2027-01-11', renewals: 1 } as unknown as PathEvent),
    ]);
    expect(await rows('agreements', 'id = $1', [agreementId])).toMatchObject([{ coach_id: null, commitments: [], privileges: [], goal_note_id: null, renewals: 1 }]);
    const [renewal] = await rows('agreement_renewals', 'key = $1', [renewalKey]);
    expect((renewal!.renewed_at as Date).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    // A retry keeps the first time.
    await write(p, [record(p, 1, seq - 1, { type: 'agreement_renewed', agreementId, startDate: '2026-01-11', endDate: '2027-01-11', renewals: 1 } as unknown as PathEvent)]);
    expect(await rows('agreement_renewals', 'key = $1', [renewalKey])).toEqual([renewal]);

    // phase_changed with the coach's choice for the running agreement; agreement_ended
    const [choiceKey] = await write(p, [
      record(p, 1, seq++, { type: 'phase_changed', change: { at: v(2), from: 'focus', to: 'orientation', by: coach.id, reason: 'step_back', agreementChoice: 'end' } }),
      record(p, 1, seq++, { type: 'agreement_ended', agreementId, status: 'stopped', at: v(2) }),
    ]);
    expect(await rows('phase_changes', 'key = $1', [choiceKey])).toMatchObject([{ from_phase: 'focus', to_phase: 'orientation', reason: 'step_back', agreement_choice: 'end', crisis_signalled_at: null, note_id: null }]);
    expect(await rows('agreements', 'id = $1', [agreementId])).toMatchObject([{ status: 'stopped', ended_at: D(v(2)), paused_at: null }]);

    await write(p, [record(p, 1, seq++, { type: 'outflow_recorded', at: v(3), outflowType: 'regular_job', by: coach.id })]);
    const [reconnectedKey] = await write(p, [record(p, 1, seq++, { type: 'aftercare_reconnected', at: v(4) })]);
    expect(await rows('aftercare', 'participant_id = $1', [p])).toEqual([
      { participant_id: p, path_run: 1, site_id: siteId, outflow_at: D(v(3)), due_at: D(v(4)), due_key: reconnectedKey, reconnected_at: null, outcome: null },
    ]);
    expect(await rows('paths', 'participant_id = $1', [p])).toEqual([pathRow(p, 1, { phase: 'orientation', status: 'closed', started: intake, ended: v(4) })]);
    // Aftercare closed without the conversation: no reconnect time, no task settled.
    await write(p, [record(p, 1, seq++, { type: 'aftercare_closed', at: v(5), outcome: 'not_reached' })]);
    expect(await rows('aftercare', 'participant_id = $1', [p])).toMatchObject([{ due_key: reconnectedKey, reconnected_at: null, outcome: 'not_reached' }]);
    expect(await rows('paths', 'participant_id = $1', [p])).toEqual([pathRow(p, 1, { phase: 'orientation', status: 'closed', started: intake, ended: v(5) })]);
  });

  it('ESF+ results after a leaving: each written once into esf_results (about the leaving\'s run), settling its open task once', async () => {
    const p = await insertParticipant(stack, { siteId, coachId: coach.id });
    const w = (n: number) => Date.UTC(2025, 8, 1, 7, 0, 0, 250) + n * DAY;
    let seq = 0;
    await write(p, [
      record(p, 1, seq++, { type: 'path_started', at: w(0), referralSource: 'ocmw', phase: 'orientation', coachId: coach.id }),
      record(p, 1, seq++, { type: 'outflow_recorded', at: w(1), outflowType: 'regular_job', by: coach.id }),
    ]);
    // The task at the end of the window (no result yet) and the six-month follow-up, about run 1.
    const resultTask = { type: 'task' as const, key: `${p}/1/${seq++}/task/esf_leaving_result`, pathRun: 1, kind: 'esf_leaving_result' as const, dueAt: w(29), coachId: coach.id, cause: 'esf_leaving/1' };
    await write(p, [resultTask]);
    // A re-entry before the result: the result is recorded in run 2, about the leaving of run 1.
    await write(p, [record(p, 2, seq++, { type: 'path_reentered', at: w(30), phase: 'focus', by: staff.id, previousRun: 1 })]);
    const result = record(p, 2, seq++, {
      type: 'esf_result_recorded',
      at: w(31),
      kind: 'leaving',
      pathRun: 1,
      observedOn: '2025-09-20',
      situations: ['in_employment', 'in_education'],
      source: 'coach',
      by: other.id,
      settlesTask: 'esf_leaving/1',
    });
    const [resultKey] = await write(p, [result]);
    const leavingRow = {
      key: resultKey,
      participant_id: p,
      site_id: siteId,
      path_run: 1,
      kind: 'leaving',
      observed_on: '2025-09-20',
      situations: '{in_employment,in_education}',
      follow_up: null,
      source: 'coach',
      recorded_by: other.id,
      recorded_at: D(w(31)),
    };
    const esfRows = async () => {
      const found = await rows('esf_results', 'participant_id = $1 order by recorded_at', [p]);
      return found.map(({ id: _id, ...rest }) => rest);
    };
    expect(await esfRows()).toEqual([leavingRow]);
    expect(await rows('tasks', 'key = $1', [resultTask.key])).toMatchObject([{ status: 'done', completed_at: D(w(31)), completed_by: other.id, path_run: 1 }]);
    // A retry of the batch writes nothing twice and leaves the task as it was.
    await write(p, [result]);
    expect(await esfRows()).toEqual([leavingRow]);
    expect(await rows('tasks', 'key = $1', [resultTask.key])).toMatchObject([{ status: 'done', completed_at: D(w(31)) }]);

    // Six months later: the participant's answer (no one named) settles the follow-up task; a
    // second follow-up task of another leaving (run 2) stays open.
    const followUpTask = { type: 'task' as const, key: `${p}/2/${seq++}/task/esf_follow_up`, pathRun: 1, kind: 'esf_follow_up' as const, dueAt: w(182), coachId: coach.id, cause: 'esf_follow_up/1' };
    const otherTask = { type: 'task' as const, key: `${p}/2/${seq++}/task/esf_follow_up`, pathRun: 2, kind: 'esf_follow_up' as const, dueAt: w(183), coachId: coach.id, cause: 'esf_follow_up/2' };
    await write(p, [followUpTask, otherTask]);
    const answer = record(p, 2, seq++, { type: 'esf_result_recorded', at: w(184), kind: 'six_months', pathRun: 1, observedOn: '2026-03-04', followUp: 'working', source: 'participant', settlesTask: 'esf_follow_up/1' });
    const [answerKey] = await write(p, [answer]);
    await write(p, [answer]);
    expect(await esfRows()).toEqual([
      leavingRow,
      { key: answerKey, participant_id: p, site_id: siteId, path_run: 1, kind: 'six_months', observed_on: '2026-03-04', situations: null, follow_up: 'working', source: 'participant', recorded_by: null, recorded_at: D(w(184)) },
    ]);
    expect(await rows('tasks', 'key = $1', [followUpTask.key])).toMatchObject([{ status: 'done', completed_at: D(w(184)), completed_by: null }]);
    expect(await rows('tasks', 'key = $1', [otherTask.key])).toMatchObject([{ status: 'open', completed_at: null }]);

    // "None of these" at outflow (no task went out): an empty list, nothing settled.
    const none = record(p, 2, seq++, { type: 'esf_result_recorded', at: w(200), kind: 'leaving', pathRun: 2, observedOn: '2026-03-20', situations: [], source: 'coach', by: coach.id });
    await write(p, [none]);
    expect((await esfRows()).at(-1)).toMatchObject({ key: none.key, path_run: 2, situations: '{}', follow_up: null });
    expect(await rows('tasks', 'key = $1', [otherTask.key])).toMatchObject([{ status: 'open' }]);
  });

  it('covers every event type of domain/path-events.ts', () => {
    expect([...written].sort()).toEqual([...EVENT_TYPES].sort());
  });
});
