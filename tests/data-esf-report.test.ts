import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESF_FOLLOW_UP_RECORDED_LABELS } from '../domain/esf.js';
import { esfTables, specialWithheld, type EsfReport } from '../api/report.js';
import { ReportPage } from '../api/web/pages/report.js';
import { supabaseClient, type Db } from '../infra/supabase/client.js';
import { api, json } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * public.esf_report(site, from, to): the ESF+ indicators, on a small cohort written as rows the
 * way the path (paths, phase_changes, outflows, esf_results) and the API (esf_entries versions,
 * esf_entry_special) write them. Every expected figure is worked out by hand below, from the
 * cohort's list. Then who may read it (through PostgREST with real JWTs), the chart's series of
 * participants per phase, and the CSV of GET /api/reports/esf.
 */

let stack: TestStack;
let site: string;
let otherSite: string;
let coordinator: { id: string; token: string };
let otherCoordinator: { id: string; token: string };
let coach: { id: string; token: string };
let staff: { id: string; token: string };

beforeAll(async () => {
  stack = await startTestStack({}, { worker: 'none' });
  site = await stack.site('Stuyfplek ESF');
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
const Q1 = { p_site: '', p_from: '2025-01-01', p_to: '2025-03-31' };

interface Entry {
  enteredOn: string;
  ageBand?: string | null;
  labour?: string | null;
  education?: string | null;
  gender?: string | null;
  homeless?: string | null;
  rural?: string | null;
  complete: boolean;
  /** disability, third_country_national, foreign_origin, minority; absent: no special part. */
  special?: [string | null, string | null, string | null, string | null];
}
interface Run {
  /** UTC instant the run started (its first phase). */
  start: string;
  phases?: Array<[string, string]>;
  /** resultWindowEnds, followUpOn: the days the path stored on the leaving (absent: null, as before it did). */
  outflow?: { at: string; type: string; resultWindowEnds?: string; followUpOn?: string };
  /** The path's status when it is not what the runs imply ('forgotten' after erasure). */
  status?: string;
}
interface Result {
  run: number;
  kind: 'leaving' | 'six_months';
  observedOn: string;
  situations?: string[];
  followUp?: string;
  recordedAt: string;
}

/** A participant as the API and the path leave them: runs, entry versions, results. */
async function person(o: { siteId?: string; runs: Run[]; versions?: Entry[]; results?: Result[] }): Promise<string> {
  const q = (text: string, values: unknown[]) => stack.sql.query(text, values);
  const siteId = o.siteId ?? site;
  const id = randomUUID();
  await q("insert into public.participants (id, site_id, referral_source, first_name, last_name, birth_date) values ($1, $2, 'ocmw', 'Esf', 'Cohort', '1990-01-01')", [id, siteId]);
  for (const [i, run] of o.runs.entries()) {
    const pathRun = i + 1;
    const later = o.runs[i + 1];
    await q('insert into public.paths (participant_id, path_run, site_id, phase, status, started_at, ended_at, workflow_id) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
      id,
      pathRun,
      siteId,
      run.phases?.at(-1)?.[0] ?? 'orientation',
      run.status ?? (later ? 'closed' : run.outflow ? 'aftercare' : 'active'),
      run.start,
      later?.start ?? null,
      `path-${id}`,
    ]);
    let from: string | null = null;
    for (const [phase, at] of run.phases ?? [['orientation', run.start]]) {
      await q('insert into public.phase_changes (key, participant_id, site_id, path_run, from_phase, to_phase, reason, changed_at) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
        randomUUID(),
        id,
        siteId,
        pathRun,
        from,
        phase,
        from ? 'ready_for_next_step' : pathRun > 1 ? 're_entry' : null,
        at,
      ]);
      from = phase;
    }
    if (run.outflow) {
      await q('insert into public.outflows (key, participant_id, site_id, path_run, outflow_type, outflow_at, result_window_ends, follow_up_on) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
        randomUUID(),
        id,
        siteId,
        pathRun,
        run.outflow.type,
        run.outflow.at,
        run.outflow.resultWindowEnds ?? null,
        run.outflow.followUpOn ?? null,
      ]);
    }
  }
  for (const [i, e] of (o.versions ?? []).entries()) {
    const entryId = randomUUID();
    await q(
      `insert into public.esf_entries (id, participant_id, site_id, version, entered_on, age_band, labour_status, education, gender, homeless, rural, complete)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [entryId, id, siteId, i + 1, e.enteredOn, e.ageBand ?? null, e.labour ?? null, e.education ?? null, e.gender ?? null, e.homeless ?? null, e.rural ?? null, e.complete],
    );
    if (e.special) {
      await q(
        `insert into public.esf_entry_special (entry_id, participant_id, site_id, disability, third_country_national, foreign_origin, minority)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [entryId, id, siteId, ...e.special],
      );
    }
  }
  for (const r of o.results ?? []) {
    await q(
      `insert into public.esf_results (key, participant_id, site_id, path_run, kind, observed_on, situations, follow_up, source, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'coach', $9)`,
      [randomUUID(), id, siteId, r.run, r.kind, r.observedOn, r.kind === 'leaving' ? (r.situations ?? []) : null, r.followUp ?? null, r.recordedAt],
    );
  }
  return id;
}

/** A complete record of someone who entered before the period (they count as leavers, not as entries). */
const earlier = (enteredOn: string): Entry => ({ enteredOn, ageBand: 'age_30_54', labour: 'inactive', education: 'isced_3_4', gender: 'male', complete: true });

describe('esf_report on a known cohort (first quarter of 2025)', () => {
  let report: { entries: Record<string, unknown>; leavers: Record<string, unknown>; six_months: Record<string, unknown> } & Record<string, unknown>;
  let erased: string;
  let erasedLeaver: string;

  beforeAll(async () => {
    // ---- Entries: entered_on in [2025-01-01, 2025-03-31] -------------------------------------
    // A: entered 10 Jan; version 1 says unemployed and no disability, the correction (version 2)
    // says long-term unemployed and a disability. Only version 2 counts. A leaves 28 Mar (below).
    await person({
      runs: [{ start: '2025-01-10T09:00:00Z', outflow: { at: '2025-03-28T10:00:00Z', type: 'regular_job' } }],
      versions: [
        { enteredOn: '2025-01-10', ageBand: 'age_18_29', labour: 'unemployed', education: 'isced_0_2', gender: 'female', homeless: 'no', rural: 'yes', complete: true, special: ['no', 'no', 'yes', 'refused'] },
        { enteredOn: '2025-01-10', ageBand: 'age_18_29', labour: 'long_term_unemployed', education: 'isced_0_2', gender: 'female', homeless: 'no', rural: 'yes', complete: true, special: ['yes', 'no', 'yes', 'refused'] },
      ],
      // Two results observed on the same day inside the window: the one recorded last counts.
      results: [
        { run: 1, kind: 'leaving', observedOn: '2025-04-01', situations: ['job_searching'], recordedAt: '2025-04-01T10:00:00Z' },
        { run: 1, kind: 'leaving', observedOn: '2025-04-01', situations: ['in_employment', 'gained_qualification'], recordedAt: '2025-04-02T09:00:00Z' },
      ],
    });
    // B: entered 3 Feb, complete; refuses "homeless", "disability" and "third-country national".
    await person({
      runs: [{ start: '2025-02-03T09:00:00Z' }],
      versions: [{ enteredOn: '2025-02-03', ageBand: 'age_30_54', labour: 'self_employed', education: 'isced_3_4', gender: 'male', homeless: 'refused', rural: 'no', complete: true, special: ['refused', 'refused', 'no', 'no'] }],
    });
    // C: entered 20 Feb, refuses the education question: incomplete. Leaves 25 Mar (below).
    await person({
      runs: [{ start: '2025-02-20T09:00:00Z', outflow: { at: '2025-03-25T10:00:00Z', type: 'stopped' } }],
      versions: [{ enteredOn: '2025-02-20', ageBand: 'age_55_plus', labour: 'inactive', education: 'refused', gender: 'female', homeless: 'yes', complete: false, special: ['yes', 'yes', 'yes', 'yes'] }],
    });
    // D: entered 5 Mar, gender not asked and no birth date (no age band): incomplete.
    await person({
      runs: [{ start: '2025-03-05T09:00:00Z' }],
      versions: [{ enteredOn: '2025-03-05', labour: 'unemployed', education: 'isced_5_8', complete: false }],
    });
    // E: path started 10 Mar without any record; E2: started at 00:30 on 1 Jan in Brussels
    // (31 Dec 23:30 UTC), without any record. Both incomplete (no record).
    await person({ runs: [{ start: '2025-03-10T09:00:00Z' }] });
    await person({ runs: [{ start: '2024-12-31T23:30:00Z' }] });
    // Not in the period without a record: started 31 Mar at 23:30 UTC = 1 April 01:30 in Brussels.
    await person({ runs: [{ start: '2025-03-31T23:30:00Z' }] });
    // F: entered 15 Mar, complete, then erased: the record still counts.
    erased = await person({
      runs: [{ start: '2025-03-15T09:00:00Z' }],
      versions: [{ enteredOn: '2025-03-15', ageBand: 'under_18', labour: 'inactive', education: 'isced_0_2', gender: 'non_binary', homeless: 'yes', complete: true, special: ['no', 'yes', 'yes', 'yes'] }],
    });
    await stack.sql.query('select public.erase_participant($1)', [erased]);
    // T: entered on the last day, complete, the special questions never asked (no special part).
    await person({
      runs: [{ start: '2025-03-31T08:00:00Z' }],
      versions: [{ enteredOn: '2025-03-31', ageBand: 'age_30_54', labour: 'employed', education: 'isced_5_8', gender: 'female', homeless: 'no', rural: 'no', complete: true }],
    });
    // Outside the period: entered 31 Dec and 1 Apr.
    await person({ runs: [{ start: '2024-12-31T08:00:00Z' }], versions: [{ ...earlier('2024-12-31'), labour: 'employed' }] });
    await person({ runs: [{ start: '2025-04-01T08:00:00Z' }], versions: [{ ...earlier('2025-04-01'), labour: 'employed' }] });

    // ---- Leavers: last leaving up to 31 Mar in the period -------------------------------------
    // G: entered March 2024 (first run), left 20 Aug 2024, came back 10 Feb 2025 (re-entry: no
    // new version) and left again 20 Mar 2025. One participant: the exit and results of run 2.
    // Results of run 2: 20 Mar (job seeking) and 10 Apr (in education) inside [20 Mar, 17 Apr];
    // 30 Apr (in employment) outside: in education counts. Run 1's results are of an older leaving.
    await person({
      runs: [
        { start: '2024-03-04T09:00:00Z', outflow: { at: '2024-08-20T09:00:00Z', type: 'regular_job' } },
        { start: '2025-02-10T09:00:00Z', outflow: { at: '2025-03-20T09:00:00Z', type: 'education' } },
      ],
      versions: [{ enteredOn: '2024-03-04', ageBand: 'age_18_29', labour: 'unemployed', education: 'isced_3_4', gender: 'male', complete: true }],
      results: [
        { run: 1, kind: 'leaving', observedOn: '2024-08-25', situations: ['in_employment'], recordedAt: '2024-08-25T09:00:00Z' },
        // Six months after run 1's leaving (20 Feb 2025) falls in the period: G counts there with
        // this answer, although G left again on 20 Mar.
        { run: 1, kind: 'six_months', observedOn: '2025-02-20', followUp: 'working', recordedAt: '2025-02-20T09:00:00Z' },
        { run: 2, kind: 'leaving', observedOn: '2025-03-20', situations: ['job_searching'], recordedAt: '2025-03-20T09:00:00Z' },
        { run: 2, kind: 'leaving', observedOn: '2025-04-10', situations: ['in_education'], recordedAt: '2025-04-10T09:00:00Z' },
        { run: 2, kind: 'leaving', observedOn: '2025-04-30', situations: ['in_employment'], recordedAt: '2025-04-30T09:00:00Z' },
      ],
    });
    // H: left 14 Feb (SMART); the path ran with a 30-day window and stored its last day: 14 Feb + 30
    // = 16 Mar (14 days to 28 Feb, 16 more). 16 Mar (job seeking) is its last day: counts (with
    // the fund's default 28 days it would not: 14 Mar); 17 Mar (in employment) is the day after: not.
    await person({
      runs: [{ start: '2024-06-01T09:00:00Z', outflow: { at: '2025-02-14T09:00:00Z', type: 'smart', resultWindowEnds: '2025-03-16' } }],
      versions: [earlier('2024-06-01')],
      results: [
        { run: 1, kind: 'leaving', observedOn: '2025-03-16', situations: ['job_searching'], recordedAt: '2025-03-16T09:00:00Z' },
        { run: 1, kind: 'leaving', observedOn: '2025-03-17', situations: ['in_employment'], recordedAt: '2025-03-17T09:00:00Z' },
      ],
    });
    // Q: left 3 Feb, window not stored (null): the default 28 days, last day 3 Feb + 28 = 3 Mar (25
    // days to 28 Feb, 3 more). 3 Mar (in education) counts; 4 Mar (in employment), the day after, not.
    await person({
      runs: [{ start: '2024-05-01T09:00:00Z', outflow: { at: '2025-02-03T10:00:00Z', type: 'regular_job' } }],
      versions: [earlier('2024-05-01')],
      results: [
        { run: 1, kind: 'leaving', observedOn: '2025-03-03', situations: ['in_education'], recordedAt: '2025-03-03T09:00:00Z' },
        { run: 1, kind: 'leaving', observedOn: '2025-03-04', situations: ['in_employment'], recordedAt: '2025-03-04T09:00:00Z' },
      ],
    });
    // S: left 6 Feb, default window up to 6 Mar; its only result is of 7 Mar, the day after: no result.
    await person({
      runs: [{ start: '2024-05-01T09:00:00Z', outflow: { at: '2025-02-06T10:00:00Z', type: 'stopped' } }],
      versions: [earlier('2024-05-01')],
      results: [{ run: 1, kind: 'leaving', observedOn: '2025-03-07', situations: ['job_searching'], recordedAt: '2025-03-07T09:00:00Z' }],
    });
    // Z: left 10 Feb (referred elsewhere), in employment that day; then asked to be forgotten: the
    // path is 'forgotten' and erase_participant ran. Still a leaver, with the result.
    erasedLeaver = await person({
      runs: [{ start: '2024-05-01T09:00:00Z', outflow: { at: '2025-02-10T10:00:00Z', type: 'referred_elsewhere' }, status: 'forgotten' }],
      versions: [earlier('2024-05-01')],
      results: [{ run: 1, kind: 'leaving', observedOn: '2025-02-10', situations: ['in_employment'], recordedAt: '2025-02-10T12:00:00Z' }],
    });
    await stack.sql.query('select public.erase_participant($1)', [erasedLeaver]);
    // I: left at 00:30 on 1 Jan in Brussels (31 Dec 23:30 UTC): in the period. "None of these".
    await person({
      runs: [{ start: '2024-03-01T09:00:00Z', outflow: { at: '2024-12-31T23:30:00Z', type: 'article_60' } }],
      versions: [earlier('2024-03-01')],
      results: [{ run: 1, kind: 'leaving', observedOn: '2025-01-01', situations: [], recordedAt: '2025-01-02T09:00:00Z' }],
    });
    // J: left at 00:30 on 1 April in Brussels (31 Mar 22:30 UTC, summer time): not in the period.
    await person({ runs: [{ start: '2024-03-01T09:00:00Z', outflow: { at: '2025-03-31T22:30:00Z', type: 'regular_job' } }], versions: [earlier('2024-03-01')] });

    // ---- Six months: last leaving + 6 months in [1 Jan, 31 Mar] (leavings of Jul–Sep 2024) -------
    // K: left 31 Aug 2024 → due 28 Feb 2025; answered "not working", later "working": working.
    await person({
      runs: [{ start: '2024-01-08T09:00:00Z', outflow: { at: '2024-08-31T09:00:00Z', type: 'regular_job' } }],
      versions: [earlier('2024-01-08')],
      results: [
        { run: 1, kind: 'six_months', observedOn: '2025-02-28', followUp: 'not_working', recordedAt: '2025-02-28T09:00:00Z' },
        { run: 1, kind: 'six_months', observedOn: '2025-03-05', followUp: 'working', recordedAt: '2025-03-05T09:00:00Z' },
      ],
    });
    // L: left 30 Sep 22:30 UTC = 1 Oct 00:30 in Brussels → by the default due 1 Apr 2025, but the
    // path stored its follow-up day: 31 Mar 2025, in the period. The answer of 1 Apr counts (late
    // answers do: recent periods are provisional).
    await person({
      runs: [{ start: '2024-01-08T09:00:00Z', outflow: { at: '2024-09-30T22:30:00Z', type: 'regular_job', followUpOn: '2025-03-31' } }],
      versions: [earlier('2024-01-08')],
      results: [{ run: 1, kind: 'six_months', observedOn: '2025-04-01', followUp: 'working', recordedAt: '2025-04-01T09:00:00Z' }],
    });
    // M: left 1 Jul 2024 → due 1 Jan 2025; no answer.
    await person({ runs: [{ start: '2024-01-08T09:00:00Z', outflow: { at: '2024-07-01T09:00:00Z', type: 'smart' } }], versions: [earlier('2024-01-08')] });
    // N: left 15 Aug 2024 → due 15 Feb 2025; would rather not say.
    await person({
      runs: [{ start: '2024-01-08T09:00:00Z', outflow: { at: '2024-08-15T09:00:00Z', type: 'smart' } }],
      versions: [earlier('2024-01-08')],
      results: [{ run: 1, kind: 'six_months', observedOn: '2025-02-16', followUp: 'refused', recordedAt: '2025-02-16T09:00:00Z' }],
    });
    // P: incomplete record (labour status refused), left 10 Sep 2024 → due 10 Mar 2025.
    await person({
      runs: [{ start: '2024-02-01T09:00:00Z', outflow: { at: '2024-09-10T09:00:00Z', type: 'stopped' } }],
      versions: [{ ...earlier('2024-02-01'), labour: 'refused', complete: false }],
      results: [{ run: 1, kind: 'six_months', observedOn: '2025-03-10', followUp: 'working', recordedAt: '2025-03-10T09:00:00Z' }],
    });

    // ---- Another site: counts there, not here. ----------------------------------------------
    await person({
      siteId: otherSite,
      runs: [{ start: '2025-01-10T09:00:00Z', outflow: { at: '2025-02-10T09:00:00Z', type: 'regular_job' } }],
      versions: [{ ...earlier('2025-01-10'), labour: 'unemployed' }],
    });

    const { data, error } = await as(coordinator.token).rpc('esf_report', { ...Q1, p_site: site });
    expect(error).toBeNull();
    report = data as typeof report;
  });

  it('keeps the erased participant anonymous: no name, no birth date, the record stays', async () => {
    const { rows } = await stack.sql.query(
      'select p.first_name, p.birth_date, (select count(*)::int from public.esf_entries e where e.participant_id = p.id) as versions from public.participants p where p.id = $1',
      [erased],
    );
    expect(rows).toEqual([{ first_name: null, birth_date: null, versions: 1 }]);
  });

  it('counts entries in the period: complete ones by code, the incomplete ones beside, and why', () => {
    expect(report).toMatchObject({ site, from: '2025-01-01', to: '2025-03-31' });
    // Entered in the period with a record: A (10 Jan), B (3 Feb), C (20 Feb), D (5 Mar),
    // F (15 Mar, erased), T (31 Mar) = 6; without any record: E (10 Mar) and E2 (1 Jan, 00:30
    // local) = 2. Participants 6 + 2 = 8. Complete: A, B, F, T = 4. Incomplete: C, D, E, E2 = 4:
    // C refused education; D lacks gender and age band; E and E2 have no record.
    expect(report.entries).toMatchObject({
      participants: 8,
      complete: 4,
      incomplete: 4,
      incomplete_detail: {
        without_record: 2,
        refused: { labour_status: 0, education: 1, gender: 0 },
        missing: { labour_status: 0, education: 0, gender: 1, age_band: 1 },
      },
    });
  });

  it('counts the core items of complete records from their last version, with the fund\'s subtotals', () => {
    // A (version 2) long-term unemployed, B self-employed, F inactive, T employed. Version 1 of A
    // (unemployed) does not count: unemployed 0.
    expect(report.entries.labour_status).toEqual({ unemployed: 0, long_term_unemployed: 1, inactive: 1, employed: 1, self_employed: 1 });
    // Unemployed incl. long-term: 0 + 1 = 1, of which long-term 1; employed incl. self-employed: 1 + 1 = 2.
    expect(report.entries.labour_status_totals).toEqual({ unemployed_incl_long_term: 1, long_term_unemployed: 1, inactive: 1, employed_incl_self_employed: 2, self_employed: 1 });
    // A 0–2, B 3–4, F 0–2, T 5–8.
    expect(report.entries.education).toEqual({ isced_0_2: 2, isced_3_4: 1, isced_5_8: 1 });
    // A female, B male, F non-binary, T female.
    expect(report.entries.gender).toEqual({ female: 2, male: 1, non_binary: 1 });
    // A 18–29, B 30–54, F under 18, T 30–54.
    expect(report.entries.age_band).toEqual({ under_18: 1, age_18_29: 1, age_30_54: 2, age_55_plus: 0 });
  });

  it('counts the other items with their refusals, and what was not asked', () => {
    // Homeless: A no, B refused, F yes, T no. Rural: A yes, B no, F not asked, T no.
    expect(report.entries.homeless).toEqual({ yes: 1, no: 2, refused: 1, not_answered: 0 });
    expect(report.entries.rural).toEqual({ yes: 1, no: 2, refused: 0, not_answered: 1 });
    // Special part: 4 complete entries (A, B, F, T) < 10: withheld as a whole. (Unguarded they
    // would give, for A, B, F, T: disability yes 1, no 1, refused 1, not asked 1 — cells of 1.)
    expect(report.entries.special).toEqual({ disclosed: false, min_participants: 10, suppressed_below: 5, items: null });
  });

  it('counts leavers once by their last leaving, with the last result in the window the path stored (28 days by default)', () => {
    // Last leaving up to 31 Mar, in the period: A (28 Mar), C (25 Mar), G (run 2, 20 Mar), H (14 Feb),
    // I (1 Jan 00:30 local), Q (3 Feb), S (6 Feb), Z (10 Feb, erased) = 8; J left on 1 Apr local
    // time. Complete: A, G, H, I, Q, S, Z = 7; C incomplete.
    expect(report.leavers).toMatchObject({ participants: 8, complete: 7, incomplete: 1 });
    // Windows counted in: H's stored 30 days; the others' 28 by default.
    expect(report.leavers.result_window_days).toEqual([28, 30]);
    // Exit of the complete ones: A regular job, G education (run 2, not run 1's regular job),
    // H SMART, I article 60, Q regular job, S stopped, Z referred elsewhere: regular job 1 + 1 = 2.
    const exits = report.leavers.outflow_type as Record<string, number>;
    expect(Object.fromEntries(Object.entries(exits).filter(([, n]) => n > 0))).toEqual({
      regular_job: 2,
      article_60: 1,
      smart: 1,
      education: 1,
      stopped: 1,
      referred_elsewhere: 1,
    });
    expect(Object.values(exits).reduce((a, b) => a + b, 0)).toBe(7);
    // A: the later-recorded result of 1 Apr (employment + qualification); G: 10 Apr (education),
    // not 30 Apr (after 17 Apr) nor 20 Mar (earlier); H: 16 Mar, its window's last day (job
    // seeking), not 17 Mar; I: none of these; Q: 3 Mar, the last day (education), not 4 Mar; S: 7
    // Mar is a day late (no result); Z: employment.
    // Job seeking: H = 1. Employment: A, Z = 2. Education: G, Q = 2. Qualification: A = 1.
    // None of these: I = 1. No result: S = 1.
    expect(report.leavers.result_28_days).toEqual({ job_searching: 1, in_employment: 2, in_education: 2, gained_qualification: 1, none_of_these: 1, no_result: 1 });
  });

  it('counts an erased leaver: forgotten path, erase_participant run, the outflow and result stay', async () => {
    const { rows } = await stack.sql.query(
      `select p.first_name, p.erased_at is not null as erased, (select status::text from public.paths pa where pa.participant_id = p.id) as status,
              (select count(*)::int from public.outflows o where o.participant_id = p.id) as outflows
         from public.participants p where p.id = $1`,
      [erasedLeaver],
    );
    expect(rows).toEqual([{ first_name: null, erased: true, status: 'forgotten', outflows: 1 }]);
    // Without Z the February leavers would be H, Q, S (3) with no one referred elsewhere.
    const { data } = await stack.db.rpc('esf_report', { p_site: site, p_from: '2025-02-01', p_to: '2025-02-28' });
    const feb = data as { leavers: { participants: number; outflow_type: Record<string, number>; result_28_days: Record<string, number> } };
    // February leavers: H (14 Feb), Q (3 Feb), S (6 Feb), Z (10 Feb) = 4; employment: Z = 1.
    expect(feb.leavers.participants).toBe(4);
    expect(feb.leavers.outflow_type.referred_elsewhere).toBe(1);
    expect(feb.leavers.result_28_days.in_employment).toBe(1);
  });

  it('counts six months after a leaving whose six-month day is in the period, the last answer', () => {
    // Due in the period: K (28 Feb), M (1 Jan), N (15 Feb), P (10 Mar, incomplete), G (run 1: 20
    // Aug 2024 + 6 months = 20 Feb 2025, although G left again on 20 Mar), L (its stored day, 31
    // Mar) = 6; complete 5 (all but P).
    // K: "working" (after "not working"); M: no answer; N: refused; G: working (run 1's answer);
    // L: working. Working: K, G, L = 3.
    expect(report.six_months).toEqual({
      participants: 6,
      complete: 5,
      incomplete: 1,
      follow_up: { working: 3, not_working: 0, refused: 1, no_answer: 1 },
    });
  });

  it('makes the months add up to the quarter for six months', async () => {
    const month = async (p_from: string, p_to: string) =>
      ((await stack.db.rpc('esf_report', { p_site: site, p_from, p_to })).data as { six_months: { participants: number; follow_up: Record<string, number> } }).six_months;
    const [jan, feb, mar] = await Promise.all([month('2025-01-01', '2025-01-31'), month('2025-02-01', '2025-02-28'), month('2025-03-01', '2025-03-31')]);
    // January: M (1 Jan) = 1. February: N (15 Feb), G (20 Feb), K (28 Feb) = 3. March: P (10 Mar),
    // L (31 Mar) = 2. 1 + 3 + 2 = 6, the quarter's.
    expect([jan.participants, feb.participants, mar.participants]).toEqual([1, 3, 2]);
    expect(jan.participants + feb.participants + mar.participants).toBe(report.six_months.participants);
    // Working: G and K in February, L in March: 0 + 2 + 1 = 3.
    expect([jan.follow_up.working, feb.follow_up.working, mar.follow_up.working]).toEqual([0, 2, 1]);
  });

  it('counts the other site\'s participant there only', async () => {
    const { data } = await stack.db.rpc('esf_report', { ...Q1, p_site: otherSite });
    const other = data as { entries: { participants: number; complete: number }; leavers: { participants: number; outflow_type: Record<string, number> } };
    expect(other.entries).toMatchObject({ participants: 1, complete: 1, labour_status: { unemployed: 1 } });
    expect(other.leavers.participants).toBe(1);
  });
});

describe('six months after leaving, not before the day has come', () => {
  it('counts a participant whose six months ended, not one whose six months end later in the period', async () => {
    const future = await stack.site('Stuyfplek Toekomst');
    const { rows } = await stack.sql.query<{ past: string; coming: string; from: string; to: string }>(`
      select (now() - interval '6 months' - interval '5 days')::text as past,
             (now() - interval '6 months' + interval '10 days')::text as coming,
             ((now() at time zone 'Europe/Brussels')::date - 30)::text as from,
             ((now() at time zone 'Europe/Brussels')::date + 30)::text as to`);
    const { past, coming, from, to } = rows[0]!;
    for (const at of [past, coming]) {
      await person({ siteId: future, runs: [{ start: '2024-01-08T09:00:00Z', outflow: { at, type: 'regular_job' } }], versions: [earlier('2024-01-08')] });
    }
    const { data, error } = await stack.db.rpc('esf_report', { p_site: future, p_from: from, p_to: to });
    expect(error).toBeNull();
    // Due about 5 days ago: counted; due in about 10 days: not yet.
    expect((data as { six_months: unknown }).six_months).toEqual({ participants: 1, complete: 1, incomplete: 0, follow_up: { working: 0, not_working: 0, refused: 0, no_answer: 1 } });
  });
});

describe('participants per phase over the period', () => {
  it('counts them at each month end and at the end of the period, as funder_report does at its end', async () => {
    const series = await stack.site('Stuyfplek Reeks');
    // P1: orientation from 10 Jan, focus from 15 Feb. P2: orientation from 1 Dec 2024, leaves 10 Mar.
    await person({ siteId: series, runs: [{ start: '2025-01-10T09:00:00Z', phases: [['orientation', '2025-01-10T09:00:00Z'], ['focus', '2025-02-15T09:00:00Z']] }] });
    await person({ siteId: series, runs: [{ start: '2024-12-01T09:00:00Z', outflow: { at: '2025-03-10T09:00:00Z', type: 'smart' } }] });
    const args = { p_site: series, p_from: '2025-01-15', p_to: '2025-03-20' };
    const { data, error } = await as(stack.supabase.serviceRoleKey).rpc('participants_per_phase_series', args);
    expect(error).toBeNull();
    // 31 Jan: both in orientation. 28 Feb: P1 focus, P2 orientation. 20 Mar (the period's end; the
    // month end of March is after it): P1 focus, P2 in aftercare.
    expect(data).toEqual([
      { date: '2025-01-31', orientation: 2, focus: 0, activation: 0, aftercare: 0 },
      { date: '2025-02-28', orientation: 1, focus: 1, activation: 0, aftercare: 0 },
      { date: '2025-03-20', orientation: 0, focus: 1, activation: 0, aftercare: 1 },
    ]);
    const funder = (await stack.db.rpc('funder_report', args)).data as { participants_per_phase: unknown };
    expect(funder.participants_per_phase).toEqual({ ...(data as object[]).at(-1) });
  });
});

describe('who may read the ESF+ indicators', () => {
  const args = () => ({ ...Q1, p_site: site });

  it('the coordinator of the site gets the special block under disclosure control through PostgREST; the rows stay closed to them', async () => {
    const { data, error } = await as(coordinator.token).rpc('esf_report', args());
    expect(error).toBeNull();
    // 4 complete entries: withheld (the counts themselves: 'disclosure control of the special-category answers').
    expect((data as { entries: { special: unknown } }).entries.special).toEqual({ disclosed: false, min_participants: 10, suppressed_below: 5, items: null });
    for (const table of ['esf_entry_special', 'esf_entries', 'esf_results'] as const) {
      const rows = await as(coordinator.token).from(table).select('*');
      expect(rows.error, table).toBeNull();
      expect(rows.data, table).toEqual([]);
    }
    // The service role (the API) may too.
    expect((await stack.db.rpc('esf_report', args())).error).toBeNull();
    expect((await as(coordinator.token).rpc('participants_per_phase_series', args())).error).toBeNull();
  });

  it('a coordinator of another site, a coach, staff and anon get 42501', async () => {
    for (const fn of ['esf_report', 'participants_per_phase_series'] as const) {
      for (const token of [otherCoordinator.token, coach.token, staff.token, undefined]) {
        const { data, error } = await as(token).rpc(fn, args());
        expect(data, fn).toBeNull();
        expect(error?.code, fn).toBe('42501');
      }
    }
  });

  it('refuses a period that ends before it starts', async () => {
    const { error } = await as(coordinator.token).rpc('esf_report', { ...args(), p_from: '2025-04-01' });
    expect(error?.code).toBe('22023');
  });
});

describe('GET /api/reports/esf', () => {
  const csvRows = async (res: Response) => {
    // The byte-order mark (fetch's text() would drop it): EF BB BF.
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.slice(1, -2).split('\r\n');
    return { header: lines[0]!.split(';'), rows: lines.slice(1).map((l) => l.split(';')) };
  };

  it('gives the indicators as JSON, and as a CSV with the documented columns', async () => {
    const res = await api(stack, '/api/reports/esf?from=2025-01-01&to=2025-03-31', { token: coordinator.token });
    expect(res.status).toBe(200);
    const body = await json<{ site: string; from: string; to: string; esf: { entries: { complete: number } } }>(res);
    expect(body).toMatchObject({ site, from: '2025-01-01', to: '2025-03-31', esf: { entries: { complete: 4 } } });

    const csvRes = await api(stack, '/api/reports/esf?from=2025-01-01&to=2025-03-31&format=csv', { token: coordinator.token });
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csvRes.headers.get('content-disposition')).toBe('attachment; filename="groeipad-esf-2025-01-01-2025-03-31.csv"');
    const { header, rows } = await csvRows(csvRes);
    expect(header).toEqual(['period_from', 'period_to', 'group', 'indicator', 'indicator_label', 'code', 'label', 'count']);
    expect(rows.every((r) => r.length === header.length && r[0] === '2025-01-01' && r[1] === '2025-03-31' && (/^\d+$/.test(r[7]!) || (r[5] === 'withheld' && r[7] === '')))).toBe(true);
    const count = (group: string, indicator: string, code: string) => rows.find((r) => r[2] === group && r[3] === indicator && r[5] === code)?.slice(6);
    expect(count('entries', 'participants', 'complete')).toEqual(['Volledig geregistreerd', '4']);
    expect(count('entries', 'participants', 'incomplete')).toEqual(['Onvolledig geregistreerd', '4']);
    expect(count('entries', 'labour_status', 'long_term_unemployed')).toEqual(['Langdurig werkloos (12 maanden of langer)', '1']);
    expect(count('entries', 'labour_status_totals', 'employed_incl_self_employed')?.[1]).toBe('2');
    // Four complete entries: every special item is one row saying why it is withheld, no count.
    for (const item of ['disability', 'third_country_national', 'foreign_origin', 'minority']) {
      expect(rows.filter((r) => r[3] === item).map((r) => r.slice(5))).toEqual([['withheld', specialWithheld(10), '']]);
    }
    expect(specialWithheld(10)).toMatch(/^Te weinig deelnemers om deze antwoorden te tonen/);
    expect(count('entries', 'incomplete_refused', 'education')?.[1]).toBe('1');
    // G and Q.
    expect(count('leavers', 'result_28_days', 'in_education')).toEqual(['Volgt onderwijs of een opleiding', '2']);
    expect(count('leavers', 'outflow_type', 'smart')).toEqual(['Werken via SMART', '1']);
    expect(count('six_months', 'follow_up', 'no_answer')).toEqual(['Geen antwoord', '1']);
    // The follow-up answers are labelled as domain/esf.ts labels them for the coach and the reports.
    expect(count('six_months', 'follow_up', 'working')).toEqual([ESF_FOLLOW_UP_RECORDED_LABELS.working, '3']);
    expect(count('six_months', 'follow_up', 'not_working')).toEqual([ESF_FOLLOW_UP_RECORDED_LABELS.not_working, '0']);
    // The result's title is phrased from the windows counted in (28 and H's 30 days).
    expect(rows.find((r) => r[3] === 'result_28_days')?.[4]).toBe('Situatie binnen 28 tot 30 dagen na het verlaten');
    // The labour status rows add up to the complete entries (4), and the indicator has its question as label.
    expect(rows.find((r) => r[3] === 'labour_status')?.[4]).toBe('Situatie op de arbeidsmarkt');
    const labour = rows.filter((r) => r[2] === 'entries' && r[3] === 'labour_status').reduce((sum, r) => sum + Number(r[7]), 0);
    expect(labour).toBe(4);
  });

  it('gives the chart\'s series with the funder report: one point per month end of the period', async () => {
    const res = await api(stack, '/api/reports/funder?from=2025-01-01&to=2025-03-31', { token: coordinator.token });
    expect(res.status).toBe(200);
    const body = await json<{ participantsPerPhase: { date: string }[]; report: { participants_per_phase: object } }>(res);
    expect(body.participantsPerPhase.map((p) => p.date)).toEqual(['2025-01-31', '2025-02-28', '2025-03-31']);
    expect(body.participantsPerPhase.at(-1)).toEqual(body.report.participants_per_phase);
  });

  it('refuses staff, coaches and another site', async () => {
    expect((await api(stack, '/api/reports/esf?from=2025-01-01&to=2025-03-31', { token: staff.token })).status).toBe(403);
    expect((await api(stack, '/api/reports/esf?from=2025-01-01&to=2025-03-31', { token: coach.token })).status).toBe(403);
    expect((await api(stack, `/api/reports/esf?from=2025-01-01&to=2025-03-31&site=${site}`, { token: otherCoordinator.token })).status).toBe(403);
    expect((await api(stack, '/api/reports/esf?from=2025-03-31&to=2025-01-01', { token: coordinator.token })).status).toBe(400);
  });
});

describe('disclosure control of the special-category answers', () => {
  const special = (answers: [string, string, string, string], enteredOn: string, complete = true): Entry => ({
    ...earlier(enteredOn),
    complete,
    ...(complete ? {} : { labour: 'refused' }),
    special: answers,
  });

  it('a one-day period around one known intake: nothing special is readable, through PostgREST or the API', async () => {
    const lone = await stack.site('Stuyfplek Eén');
    const loneCoordinator = await stack.person('coordinator', lone);
    await person({ siteId: lone, runs: [{ start: '2025-06-02T08:00:00Z' }], versions: [special(['yes', 'yes', 'yes', 'yes'], '2025-06-02')] });
    const { data, error } = await as(loneCoordinator.token).rpc('esf_report', { p_site: lone, p_from: '2025-06-02', p_to: '2025-06-02' });
    expect(error).toBeNull();
    const r = data as unknown as EsfReport;
    // The one person is counted, with their core items; the special block says nothing.
    expect(r.entries).toMatchObject({ participants: 1, complete: 1 });
    expect(r.entries.special).toEqual({ disclosed: false, min_participants: 10, suppressed_below: 5, items: null });
    // No other part of the answer holds a special item.
    for (const column of ['disability', 'third_country_national', 'foreign_origin', 'minority']) expect(JSON.stringify(r)).not.toContain(column);

    const res = await api(stack, '/api/reports/esf?from=2025-06-02&to=2025-06-02&format=csv', { token: loneCoordinator.token });
    expect(res.status).toBe(200);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(';'));
    const specialRows = lines.filter((l) => ['disability', 'third_country_national', 'foreign_origin', 'minority'].includes(l[3]!));
    expect(specialRows.map((l) => [l[5], l[7]])).toEqual([
      ['withheld', ''],
      ['withheld', ''],
      ['withheld', ''],
      ['withheld', ''],
    ]);
    // The page says so in Dutch, once for the block.
    const html = await ReportPage({ siteName: 'Eén', state: { values: {}, errors: {} }, rows: [], period: { from: '2025-06-02', to: '2025-06-02' }, report: {}, series: [], esf: r }).toString();
    expect(html).toContain('Te weinig deelnemers om deze antwoorden te tonen');
    expect(html.split('Te weinig deelnemers').length - 1).toBe(1);
  });

  describe('a cohort of 10 complete entries', () => {
    let big: string;
    let bigCoordinator: { id: string; token: string };
    let r: EsfReport;

    beforeAll(async () => {
      big = await stack.site('Stuyfplek Groot');
      bigCoordinator = await stack.person('coordinator', big);
      // Ten complete entries, i = 0..9; i = 0..8 on 10 June, i = 9 on 11 June. Answers (disability,
      // third-country national, foreign origin, minority):
      //   disability: yes for i < 2, no for the rest: yes 2, no 8.
      //   third-country national: no for all: no 10.
      //   foreign origin: yes for i < 5, no for the rest: yes 5, no 5.
      //   minority: yes for i < 2, refused for i = 2..4, no for i = 5..9: yes 2, refused 3, no 5.
      for (let i = 0; i < 10; i++) {
        await person({
          siteId: big,
          runs: [{ start: i < 9 ? '2025-06-10T08:00:00Z' : '2025-06-11T08:00:00Z' }],
          versions: [special([i < 2 ? 'yes' : 'no', 'no', i < 5 ? 'yes' : 'no', i < 2 ? 'yes' : i < 5 ? 'refused' : 'no'], i < 9 ? '2025-06-10' : '2025-06-11')],
        });
      }
      // An incomplete record (labour status refused) with every special answer yes: never counted.
      await person({ siteId: big, runs: [{ start: '2025-06-10T09:00:00Z' }], versions: [special(['yes', 'yes', 'yes', 'yes'], '2025-06-10', false)] });
      const { data, error } = await as(bigCoordinator.token).rpc('esf_report', { p_site: big, p_from: '2025-06-10', p_to: '2025-06-11' });
      expect(error).toBeNull();
      r = data as unknown as EsfReport;
    });

    it('shows the counts, each cell of 1 to 4 hidden, and the complement of a lone hidden cell', () => {
      expect(r.entries).toMatchObject({ participants: 11, complete: 10, incomplete: 1 });
      expect(r.entries.special.disclosed).toBe(true);
      expect(r.entries.special.items).toEqual({
        // yes 2 is hidden; it is the only hidden cell, so the smallest other non-zero cell (no, 8)
        // is hidden too: else 10 - 8 - 0 - 0 gives the 2 back.
        disability: { yes: null, no: null, refused: 0, not_answered: 0 },
        third_country_national: { yes: 0, no: 10, refused: 0, not_answered: 0 },
        // 5 is not below 5: shown.
        foreign_origin: { yes: 5, no: 5, refused: 0, not_answered: 0 },
        // yes 2 and refused 3 both hidden: two hidden cells, nothing more to hide (no 5 shown; 10 -
        // 5 = 5 is their sum, not either of them).
        minority: { yes: null, no: 5, refused: null, not_answered: 0 },
      });
    });

    it('gives "<5" in the CSV and on the page', async () => {
      const res = await api(stack, '/api/reports/esf?from=2025-06-10&to=2025-06-11&format=csv', { token: bigCoordinator.token });
      expect(res.status).toBe(200);
      const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(';'));
      const cell = (indicator: string, code: string) => lines.find((l) => l[3] === indicator && l[5] === code)?.[7];
      expect(cell('disability', 'yes')).toBe('<5');
      expect(cell('disability', 'no')).toBe('<5');
      expect(cell('disability', 'refused')).toBe('0');
      expect(cell('minority', 'refused')).toBe('<5');
      expect(cell('minority', 'no')).toBe('5');
      expect(cell('foreign_origin', 'yes')).toBe('5');
      const tables = esfTables(r).filter((t) => t.special);
      expect(tables.map((t) => t.rows.find((row) => row.code === 'yes')?.count)).toEqual(['<5', '0', '5', '<5']);
      const html = await ReportPage({ siteName: 'Groot', state: { values: {}, errors: {} }, rows: [], period: { from: '2025-06-10', to: '2025-06-11' }, report: {}, series: [], esf: r }).toString();
      expect(html).toContain('<td class="num">&lt;5</td>');
      expect(html).not.toContain('Te weinig deelnemers');
    });

    it('withholds the block with one complete entry fewer (9)', async () => {
      const { data } = await as(bigCoordinator.token).rpc('esf_report', { p_site: big, p_from: '2025-06-10', p_to: '2025-06-10' });
      // 10 June: i = 0..8 complete (9) and the incomplete one.
      expect((data as unknown as EsfReport).entries).toMatchObject({ complete: 9, special: { disclosed: false, items: null } });
    });
  });

  it('the README states the limits the function uses', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const { data } = await stack.db.rpc('esf_report', { p_site: site, p_from: '2025-01-01', p_to: '2025-01-01' });
    const { min_participants, suppressed_below } = (data as unknown as EsfReport).entries.special;
    expect(readme).toContain(`\`min_participants\` = ${min_participants} complete entries`);
    expect(readme).toContain(`(below \`suppressed_below\` = ${suppressed_below})`);
    expect(readme).toContain(`a count of 1 up to ${suppressed_below - 1}`);
  });
});
