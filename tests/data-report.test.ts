import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { pathUpdates, pathWorkflowId } from '../domain/messages.js';
import { supabaseClient, type Db } from '../infra/supabase/client.js';
import { until } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * public.funder_report(site, from, to): the ESF figures, computed in Postgres. First on a small
 * history with known dates (written as rows, so the arithmetic can be checked by hand), then on
 * paths lived today through the real intake, workflow and activities; and who may run it, through
 * PostgREST with real JWTs.
 */

let stack: TestStack;
let site: string;
let otherSite: string;
let coordinator: { id: string; token: string };
let otherCoordinator: { id: string; token: string };
let coach: { id: string; token: string };
let staff: { id: string; token: string };

beforeAll(async () => {
  stack = await startTestStack();
  site = await stack.site('Stuyfplek Rapport');
  otherSite = await stack.site('Stuyfplek Elders');
  coordinator = await stack.person('coordinator', site);
  otherCoordinator = await stack.person('coordinator', otherSite);
  coach = await stack.person('coach', site);
  staff = await stack.person('staff', site);
});
afterAll(async () => {
  await stack?.stop();
});

const as = (token?: string): Db => supabaseClient(stack.supabase.url, stack.supabase.anonKey, token);

/** A path as rows, the way the activities leave it. Times are UTC instants. */
interface History {
  siteId: string;
  source: string;
  phases: Array<[string, string]>;
  agreement?: { signed: string; renewed?: string; ended?: string; status?: string };
  outflow?: { at: string; type: string };
  aftercare?: { due: string; reconnected?: string };
  attendance?: Array<[string, string]>;
}

async function history(h: History): Promise<string> {
  const q = (text: string, values: unknown[]) => stack.sql.query(text, values);
  const id = randomUUID();
  const key = () => randomUUID();
  const started = h.phases[0]![1];
  const ended = h.aftercare?.due ?? null;
  await q("insert into public.participants (id, site_id, referral_source, first_name) values ($1, $2, $3, 'Historiek')", [id, h.siteId, h.source]);
  await q('insert into public.paths (participant_id, path_run, site_id, phase, status, started_at, ended_at, workflow_id) values ($1, 1, $2, $3, $4, $5, $6, $7)', [
    id,
    h.siteId,
    h.phases[h.phases.length - 1]![0],
    ended ? 'closed' : h.outflow ? 'aftercare' : 'active',
    started,
    ended,
    `path-${id}`,
  ]);
  await q('insert into public.referrals_in (key, participant_id, site_id, path_run, source, referred_at) values ($1, $2, $3, 1, $4, $5)', [key(), id, h.siteId, h.source, started]);
  let from: string | null = null;
  for (const [phase, at] of h.phases) {
    await q('insert into public.phase_changes (key, participant_id, site_id, path_run, from_phase, to_phase, reason, changed_at) values ($1, $2, $3, 1, $4, $5, $6, $7)', [
      key(),
      id,
      h.siteId,
      from,
      phase,
      from ? 'ready_for_next_step' : null,
      at,
    ]);
    from = phase;
  }
  if (h.agreement) {
    const agreementId = randomUUID();
    await q(
      "insert into public.agreements (id, key, participant_id, site_id, path_run, signed_at, start_date, end_date, status, renewals, ended_at) values ($1, $2, $3, $4, 1, $5, '2024-01-01', '2025-01-01', $6, $7, $8)",
      [agreementId, key(), id, h.siteId, h.agreement.signed, h.agreement.status ?? 'active', h.agreement.renewed ? 1 : 0, h.agreement.ended ?? null],
    );
    if (h.agreement.renewed) {
      await q(
        "insert into public.agreement_renewals (key, agreement_id, participant_id, site_id, path_run, renewal, start_date, end_date, renewed_at) values ($1, $2, $3, $4, 1, 1, '2025-01-01', '2026-01-01', $5)",
        [key(), agreementId, id, h.siteId, h.agreement.renewed],
      );
    }
  }
  if (h.outflow) {
    await q('insert into public.outflows (key, participant_id, site_id, path_run, outflow_type, outflow_at) values ($1, $2, $3, 1, $4, $5)', [key(), id, h.siteId, h.outflow.type, h.outflow.at]);
    await q('insert into public.aftercare (participant_id, path_run, site_id, outflow_at, due_at, reconnected_at) values ($1, 1, $2, $3, $4, $5)', [
      id,
      h.siteId,
      h.outflow.at,
      h.aftercare?.due ?? null,
      h.aftercare?.reconnected ?? null,
    ]);
  }
  for (const [kind, date] of h.attendance ?? []) {
    await q('insert into public.attendance (key, participant_id, site_id, path_run, kind, moment_date, logged_at) values ($1, $2, $3, 1, $4, $5, now())', [key(), id, h.siteId, kind, date]);
  }
  return id;
}

describe('funder_report on a known history (first quarter of 2025)', () => {
  let report: Record<string, unknown>;

  beforeAll(async () => {
    // P1: intake 10 Jan (OCMW); 20 days orientation, 30 days focus, then activation until today.
    const p1: History = {
      siteId: site,
      source: 'ocmw',
      phases: [
        ['orientation', '2025-01-10T08:00:00Z'],
        ['focus', '2025-01-30T08:00:00Z'],
        ['activation', '2025-03-01T08:00:00Z'],
      ],
      agreement: { signed: '2025-02-05T10:00:00Z' },
      attendance: [
        ['connectors_table', '2025-02-10'],
        ['connectors_table', '2025-02-17'],
        ['open_house', '2025-03-05'],
      ],
    };
    await history(p1);
    // The same path at another site counts there, not here.
    await history({ ...p1, siteId: otherSite });
    // P2: intake before the period; 76 days orientation; outflow 15 Feb (job); reconnect on time.
    await history({
      siteId: site,
      source: 'vdab',
      phases: [['orientation', '2024-12-01T08:00:00Z']],
      agreement: { signed: '2024-12-20T10:00:00Z', status: 'ended_by_outflow', ended: '2025-02-15T08:00:00Z' },
      outflow: { at: '2025-02-15T08:00:00Z', type: 'regular_job' },
      aftercare: { due: '2025-03-10T08:00:00Z', reconnected: '2025-03-10T15:00:00Z' },
    });
    // P3: intake 1 Feb (OCMW), still in orientation.
    await history({ siteId: site, source: 'ocmw', phases: [['orientation', '2025-02-01T08:00:00Z']] });
    // P4: in focus since July 2024 (267 days until its outflow); renewed 20 Jan, completed 20 Mar; reconnect late.
    await history({
      siteId: site,
      source: 'self',
      phases: [
        ['orientation', '2024-06-01T08:00:00Z'],
        ['focus', '2024-07-01T08:00:00Z'],
      ],
      agreement: { signed: '2024-07-01T10:00:00Z', renewed: '2025-01-20T10:00:00Z', status: 'completed', ended: '2025-03-20T10:00:00Z' },
      outflow: { at: '2025-03-25T08:00:00Z', type: 'education' },
      aftercare: { due: '2025-03-28T08:00:00Z', reconnected: '2025-04-05T09:00:00Z' },
    });
    // P6: flowed out in 2024; the reconnect was due 1 Feb and never done.
    await history({
      siteId: site,
      source: 'other',
      phases: [['orientation', '2024-09-01T08:00:00Z']],
      outflow: { at: '2024-11-01T08:00:00Z', type: 'stopped' },
      aftercare: { due: '2025-02-01T08:00:00Z' },
    });
    // P7: intake 5 Jan (GTB), 74 days orientation, outflow 20 Mar (SMART), still in aftercare.
    await history({ siteId: site, source: 'gtb', phases: [['orientation', '2025-01-05T08:00:00Z']], outflow: { at: '2025-03-20T08:00:00Z', type: 'smart' } });

    const { data, error } = await as(coordinator.token).rpc('funder_report', { p_site: site, p_from: '2025-01-01', p_to: '2025-03-31' });
    expect(error).toBeNull();
    report = data as Record<string, unknown>;
  });

  it('counts intakes in the period by referral source', () => {
    expect(report).toMatchObject({ site, from: '2025-01-01', to: '2025-03-31', intakes: 3, intakes_by_referral_source: { ocmw: 2, gtb: 1 }, reentries: 0 });
  });

  it('counts participants per phase at the end of the last day', () => {
    expect(report.participants_per_phase).toEqual({ date: '2025-03-31', orientation: 1, focus: 0, activation: 1, aftercare: 1 });
  });

  it('counts phase changes by transition', () => {
    expect(report.phase_changes).toEqual({
      total: 2,
      transitions: [
        { from: 'orientation', to: 'focus', count: 1 },
        { from: 'focus', to: 'activation', count: 1 },
      ],
    });
  });

  it('measures the time spent in each phase, in days', () => {
    // Ongoing stays are measured to 1 April 00:00 in Brussels (summer time: 31 March 22:00 UTC).
    expect(report.time_in_phase).toEqual({
      activation: { completed_stays: 0, average_days: null, ongoing_stays: 1, average_days_so_far: 30.6 },
      focus: { completed_stays: 2, average_days: 148.5, ongoing_stays: 0, average_days_so_far: null },
      orientation: { completed_stays: 3, average_days: 56.7, ongoing_stays: 1, average_days_so_far: 58.6 },
    });
  });

  it('counts agreements signed, renewed, completed and otherwise ended', () => {
    expect(report.agreements).toEqual({ signed: 1, renewed: 1, completed: 1, expired: 0, stopped: 0, ended_by_outflow: 1 });
  });

  it('counts outflow by type', () => {
    expect(report.outflow_by_type).toEqual({ education: 1, regular_job: 1, smart: 1 });
  });

  it('tells aftercare done on time (within a day of its due time) from late and not done', () => {
    expect(report.aftercare).toEqual({ due: 3, on_time: 1, late: 1, reached: 0, not_reached: 0, not_done: 1 });
  });

  it('counts attendance per kind of group moment', () => {
    expect(report.attendance_by_kind).toEqual({ connectors_table: { attendances: 2, participants: 1 }, open_house: { attendances: 1, participants: 1 } });
  });
});

describe('funder_report for a period that ends in the future', () => {
  it('measures time in a phase so far up to now, not up to the end of the period', async () => {
    const future = await stack.site('Stuyfplek Toekomst');
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await history({ siteId: future, source: 'ocmw', phases: [['orientation', tenDaysAgo]] });
    const year = new Date().getUTCFullYear();
    const { data, error } = await as(stack.supabase.serviceRoleKey).rpc('funder_report', { p_site: future, p_from: `${year - 1}-01-01`, p_to: `${year + 4}-12-31` });
    expect(error).toBeNull();
    const orientation = (data as { time_in_phase: Record<string, { ongoing_stays: number; average_days_so_far: number }> }).time_in_phase.orientation!;
    expect(orientation.ongoing_stays).toBe(1);
    expect(orientation.average_days_so_far).toBeGreaterThanOrEqual(10);
    expect(orientation.average_days_so_far).toBeLessThan(10.1);
  });
});

describe('funder_report on paths lived today through the workflow', () => {
  it('reflects intakes, phase changes, agreements, attendance and outflow as the activities wrote them', async () => {
    const today = formatLocalDate(toLocalDate(Date.now()));
    // A site of its own: the known history above is still running today.
    const site = await stack.site('Stuyfplek Vandaag');
    const staff = await stack.person('staff', site);
    const coach = await stack.person('coach', site);
    const intake = async (lastName: string, referralSource: string) => {
      const res = await stack.app.request('/api/intakes', {
        method: 'POST',
        headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ siteId: site, firstName: 'Vandaag', lastName, birthDate: '1995-05-05', referralSource, coachId: coach.id }),
      });
      expect(res.status).toBe(201);
      return stack.temporal.client.workflow.getHandle(pathWorkflowId(((await res.json()) as { participantId: string }).participantId));
    };
    const before = (await stack.db.rpc('funder_report', { p_site: site, p_from: today, p_to: today })).data as Record<string, unknown>;
    expect(before).toMatchObject({ intakes: 0, participants_per_phase: { orientation: 0, focus: 0, activation: 0, aftercare: 0 } });

    const growing = await intake('Groeiend', 'starterslabo');
    const leaving = await intake('Vertrekkend', 'word_of_mouth');
    await growing.executeUpdate(pathUpdates.signalCrisis, { args: [{ by: coach.id, kind: 'focus_crisis', move: true }] });
    await growing.executeUpdate(pathUpdates.signAgreement, { args: [{ by: coach.id, commitments: ['coworking'], privileges: [], goalNoteId: randomUUID() }] });
    await growing.executeUpdate(pathUpdates.logAttendance, { args: [{ by: coach.id, kind: 'coworking' }] });
    await leaving.executeUpdate(pathUpdates.outflow, { args: [{ by: coach.id, type: 'structural_volunteering' }] });

    const report = await until(async () => {
      const { data } = await stack.db.rpc('funder_report', { p_site: site, p_from: today, p_to: today });
      const r = data as { attendance_by_kind: Record<string, unknown>; outflow_by_type: Record<string, unknown> };
      return Object.keys(r.attendance_by_kind).length && Object.keys(r.outflow_by_type).length ? (data as Record<string, unknown>) : undefined;
    }, 'the figures');
    expect(report).toMatchObject({
      intakes: 2,
      intakes_by_referral_source: { starterslabo: 1, word_of_mouth: 1 },
      participants_per_phase: { date: today, orientation: 0, focus: 1, activation: 0, aftercare: 1 },
      phase_changes: { total: 1, transitions: [{ from: 'orientation', to: 'focus', count: 1 }] },
      agreements: { signed: 1, renewed: 0, completed: 0 },
      outflow_by_type: { structural_volunteering: 1 },
      attendance_by_kind: { coworking: { attendances: 1, participants: 1 } },
    });
    expect((report.time_in_phase as Record<string, { completed_stays: number }>).orientation?.completed_stays).toBe(2);
  });
});

describe('who may run funder_report', () => {
  const args = () => ({ p_site: site, p_from: '2025-01-01', p_to: '2025-03-31' });

  it('funder_report: the coordinator of the site and the service role may', async () => {
    expect((await as(coordinator.token).rpc('funder_report', args())).error).toBeNull();
    expect((await stack.db.rpc('funder_report', args())).error).toBeNull();
  });

  it('funder_report: a coordinator of another site, a coach, staff and anon may not', async () => {
    for (const token of [otherCoordinator.token, coach.token, staff.token, undefined]) {
      const { data, error } = await as(token).rpc('funder_report', args());
      expect(data).toBeNull();
      expect(error?.code).toBe('42501');
    }
  });

  it('funder_report: refuses a period that ends before it starts', async () => {
    const { error } = await as(coordinator.token).rpc('funder_report', { p_site: site, p_from: '2025-04-01', p_to: '2025-03-31' });
    expect(error?.code).toBe('22023');
  });
});
