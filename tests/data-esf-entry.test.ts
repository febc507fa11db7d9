import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { esfRefusal } from '../api/esf-entry.js';
import { ESF_ENTRY_ITEMS, ESF_ENTRY_KEYS, entryIsComplete, type EsfAgeBand, type EsfEntryAnswers } from '../domain/esf.js';
import { supabaseClient, type Db } from '../infra/supabase/client.js';
import type { Json } from '../supabase/types.js';
import { ESF_TABLES, insertParticipant } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The ESF+ entry snapshot in the database (README, "Entry snapshot"): public.record_esf_entry
 * (versions, carry-forward of the special-category answers, the reason written in the same
 * transaction, refusals counted as incomplete, "unchanged" never decided on special answers the
 * caller may not read, the staff task opened once while a core question is unanswered and settled
 * once, never reopened, an idempotent intake, its columns and `complete` rule held equal to
 * domain/esf.ts), and item 7 of issue 16 through
 * the real PostgREST with real sessions: the special answers are read by the participant's own
 * coach only, nobody but the service role writes an ESF+ table, a version never changes, and the
 * record function is for the service role only.
 */

type Actor = 'anon' | 'coachA' | 'coachB' | 'staff1' | 'staff2' | 'coordinator' | 'service';

let stack: TestStack;
const clients = {} as Record<Actor, Db>;
const ids = {} as Record<'s1' | 's2' | 'coachA' | 'coachB' | 'staff1' | 'staff2' | 'coordinator', string>;
const PERMISSION_DENIED = '42501';
const DUE = '2026-12-14T08:00:00.000Z';

beforeAll(async () => {
  // The database only: no path runs in this file.
  stack = await startTestStack({}, { worker: 'none' });
  ids.s1 = await stack.site('Stuyfplek Een');
  ids.s2 = await stack.site('Stuyfplek Twee');
  const people = {
    coachA: await stack.person('coach', ids.s1),
    coachB: await stack.person('coach', ids.s1),
    staff1: await stack.person('staff', ids.s1),
    staff2: await stack.person('staff', ids.s2),
    coordinator: await stack.person('coordinator', ids.s1),
  };
  const { url, anonKey, serviceRoleKey } = stack.supabase;
  clients.anon = supabaseClient(url, anonKey);
  clients.service = supabaseClient(url, serviceRoleKey);
  for (const [name, person] of Object.entries(people)) {
    ids[name as keyof typeof people] = person.id;
    clients[name as keyof typeof people] = supabaseClient(url, anonKey, person.token);
  }
});
afterAll(async () => {
  await stack?.stop();
});

/** The answers as the function takes them ({column: code}), from the domain's keys. */
function columns(answers: EsfEntryAnswers): Record<string, string> {
  return Object.fromEntries(Object.entries(answers).map(([k, v]) => [ESF_ENTRY_ITEMS[k as keyof typeof ESF_ENTRY_ITEMS].column, v as string]));
}

interface Call {
  by?: string;
  answers: EsfEntryAnswers | Record<string, string>;
  enteredOn?: string;
  ageBand?: EsfAgeBand | null;
  reason?: string | null;
  pathRun?: number | null;
  /** Whether `by` may read the special answers; the own coach (coachA) by default. */
  readsSpecial?: boolean;
  firstOnly?: boolean;
}

function call(db: Db, participant: string, c: Call) {
  const by = c.by ?? ids.staff1;
  return db.rpc('record_esf_entry', {
    p_participant: participant,
    p_by: by,
    p_answers: (isDomain(c.answers) ? columns(c.answers) : c.answers) as Json,
    p_entered_on: c.enteredOn ?? '2026-11-30',
    p_age_band: (c.ageBand === undefined ? 'age_30_54' : c.ageBand) as EsfAgeBand,
    p_reason: (c.reason ?? null) as string,
    p_task_due: DUE,
    p_path_run: (c.pathRun ?? null) as number,
    p_reads_special: c.readsSpecial ?? by === ids.coachA,
    p_first_only: c.firstOnly ?? false,
  });
}

/** Answers by the domain's keys (camelCase), or raw {column: code} to try the function's own checks. */
function isDomain(answers: Call['answers']): answers is EsfEntryAnswers {
  return Object.keys(answers).every((k) => Object.hasOwn(ESF_ENTRY_ITEMS, k));
}

async function recordAs(participant: string, c: Call) {
  const { data, error } = await call(stack.db, participant, c);
  if (error) throw new Error(error.message);
  return data as { entry_id: string; version: number; complete: boolean; recorded: boolean };
}

const rows = async <T>(text: string, values: unknown[]) => (await stack.sql.query(text, values)).rows as T[];

const versionsOf = (participant: string) =>
  rows<Record<string, unknown>>(
    `select e.version, e.labour_status, e.education, e.gender, e.homeless, e.complete, e.entered_on::text, e.age_band, e.reason_note_id, e.recorded_by,
            s.disability, s.third_country_national, s.foreign_origin, s.minority
       from public.esf_entries e join public.esf_entry_special s on s.entry_id = e.id
      where e.participant_id = $1 order by e.version`,
    [participant],
  );

const notesOf = (participant: string) =>
  rows<{ id: string; author_id: string; body: string }>('select id, author_id, body from public.notes where participant_id = $1 order by created_at, body', [participant]);

const tasksOf = (participant: string) =>
  rows<{ key: string; kind: string; status: string; assignee_id: string | null; due_at: Date; completed_by: string | null; completed_at: Date | null; path_run: number; site_id: string }>(
    'select key, kind::text, status, assignee_id, due_at, completed_by, completed_at, path_run, site_id from public.tasks where participant_id = $1',
    [participant],
  );

describe('record_esf_entry', () => {
  it('writes versions: a refusal counts as incomplete, a correction carries the special answers forward and needs a reason, written as a note in the same call', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    const v1 = await recordAs(p, { answers: { labourStatus: 'refused', education: 'isced_3_4', gender: 'female', disability: 'yes', minority: 'refused' } });
    expect(v1).toMatchObject({ version: 1, complete: false, recorded: true });

    // A correction without a reason (or a blank one) is refused; so is one that changes nothing
    // (for the own coach, who reads the special answers). Neither leaves a note behind.
    expect((await call(stack.db, p, { answers: { labourStatus: 'employed' } })).error?.message).toBe('esf_reason_missing');
    expect((await call(stack.db, p, { answers: { labourStatus: 'employed' }, reason: '  ' })).error?.message).toBe('esf_reason_missing');
    expect((await call(stack.db, p, { answers: { education: 'isced_3_4', disability: 'yes' }, reason: 'Nagekeken.', by: ids.coachA })).error?.message).toBe('esf_entry_unchanged');
    expect(await notesOf(p)).toEqual([]);

    // Only the labour status given: every other answer, the special ones too, comes from version 1.
    const v2 = await recordAs(p, { answers: { labourStatus: 'employed' }, reason: 'Wilde eerst niet antwoorden, nu wel.', by: ids.coachA, ageBand: 'age_55_plus', enteredOn: '2027-01-01' });
    expect(v2).toMatchObject({ version: 2, complete: true, recorded: true });
    const [note] = await notesOf(p);
    // The reason is a note by who made the correction.
    expect(note).toMatchObject({ author_id: ids.coachA, body: 'Wilde eerst niet antwoorden, nu wel.' });
    expect(await versionsOf(p)).toEqual([
      { version: 1, labour_status: 'refused', education: 'isced_3_4', gender: 'female', homeless: null, complete: false, entered_on: '2026-11-30', age_band: 'age_30_54', reason_note_id: null, recorded_by: ids.staff1, disability: 'yes', third_country_national: null, foreign_origin: null, minority: 'refused' },
      // The day of entry and the age band are the first entry's, whatever a correction passes.
      { version: 2, labour_status: 'employed', education: 'isced_3_4', gender: 'female', homeless: null, complete: true, entered_on: '2026-11-30', age_band: 'age_30_54', reason_note_id: note!.id, recorded_by: ids.coachA, disability: 'yes', third_country_national: null, foreign_origin: null, minority: 'refused' },
    ]);

    // A special answer corrected alone is a version too (the core ones carried forward).
    expect(await recordAs(p, { answers: { minority: 'no' }, reason: 'Verkeerd aangeduid.', by: ids.coachA })).toMatchObject({ version: 3, complete: true });
    expect((await versionsOf(p)).at(-1)).toMatchObject({ labour_status: 'employed', disability: 'yes', minority: 'no' });
    expect((await notesOf(p)).map((n) => [n.author_id, n.body])).toEqual([
      [ids.coachA, 'Wilde eerst niet antwoorden, nu wel.'],
      [ids.coachA, 'Verkeerd aangeduid.'],
    ]);
  });

  it('tells who cannot read the special answers nothing of them: a special answer they send is always a version, never "unchanged"', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    await recordAs(p, { answers: { labourStatus: 'employed', disability: 'yes', minority: 'no' } });
    // Staff guess the stored answers right: no refusal that would confirm them, a version.
    const guess = await call(stack.db, p, { answers: { disability: 'yes' }, reason: 'Nagekeken.', by: ids.staff1, readsSpecial: false });
    expect(guess.error).toBeNull();
    expect(guess.data).toMatchObject({ version: 2 });
    // And a wrong guess is answered the same way.
    const wrong = await call(stack.db, p, { answers: { minority: 'yes' }, reason: 'Nagekeken.', by: ids.staff1, readsSpecial: false });
    expect(wrong.data).toMatchObject({ version: 3 });
    // Without a special answer, a correction that changes nothing is refused for them too.
    expect((await call(stack.db, p, { answers: { labourStatus: 'employed' }, reason: 'Nagekeken.', by: ids.staff1, readsSpecial: false })).error?.message).toBe('esf_entry_unchanged');
    // The own coach, who reads them, is refused an unchanged special answer.
    expect((await call(stack.db, p, { answers: { disability: 'yes', minority: 'yes' }, reason: 'Nagekeken.', by: ids.coachA, readsSpecial: true })).error?.message).toBe('esf_entry_unchanged');
    expect((await versionsOf(p)).map((v) => [v.version, v.disability, v.minority])).toEqual([
      [1, 'yes', 'no'],
      [2, 'yes', 'no'],
      [3, 'yes', 'yes'],
    ]);
  });

  it('a correction that fails after its reason was written leaves neither the reason nor the version', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    await recordAs(p, { answers: { gender: 'male' } });
    // A failure after the note is inserted: the special part of the version is refused for this participant.
    await stack.sql.query(`create or replace function public.test_fail_esf_special() returns trigger language plpgsql as $$
      begin if new.participant_id = '${p}' then raise exception 'injected failure'; end if; return new; end $$`);
    await stack.sql.query('create trigger test_fail_esf_special before insert on public.esf_entry_special for each row execute function public.test_fail_esf_special()');
    try {
      const { error } = await call(stack.db, p, { answers: { labourStatus: 'inactive' }, reason: 'Zei het later.', by: ids.coachA });
      expect(error?.message).toBe('injected failure');
    } finally {
      await stack.sql.query('drop trigger test_fail_esf_special on public.esf_entry_special');
      await stack.sql.query('drop function public.test_fail_esf_special()');
    }
    expect(await notesOf(p)).toEqual([]);
    expect((await versionsOf(p)).map((v) => v.version)).toEqual([1]);
  });

  it('refuses a key that is no question with the key as the detail, which the API answers as a 400 naming it', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    const { error } = await call(stack.db, p, { answers: { labour_status: 'employed', shoe_size: '43' } });
    expect(error).toMatchObject({ message: 'esf_answer_unknown', details: 'shoe_size' });
    const refusal = esfRefusal(error!);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ code: 'invalid_input', fields: { shoe_size: 'onbekende ESF-vraag' } });
    expect(await versionsOf(p)).toEqual([]);
  });

  it('accepts exactly the columns of domain/esf.ts ESF_ENTRY_ITEMS, and stores each in its column', async () => {
    const domainColumns = ESF_ENTRY_KEYS.map((k) => ESF_ENTRY_ITEMS[k].column).sort();
    // The list the function checks keys against, from its own text.
    const [fn] = await rows<{ def: string }>("select pg_get_functiondef('public.record_esf_entry'::regproc) as def", []);
    const listed = fn!.def.match(/where k not in \(([^)]*)\)/)![1]!.split(',').map((c: string) => c.trim().replace(/'/g, '')).sort();
    expect(listed).toEqual(domainColumns);
    // The answer columns of the two tables (their enum-typed ones, but the age band) are the same.
    const tableColumns = await rows<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = 'public' and table_name in ('esf_entries', 'esf_entry_special') and udt_name like 'esf\\_%' and column_name <> 'age_band'`,
      [],
    );
    expect(tableColumns.map((c) => c.column_name).sort()).toEqual(domainColumns);
    // Each of them is taken and stored where it belongs (a refusal fits every question).
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    await recordAs(p, { answers: Object.fromEntries(ESF_ENTRY_KEYS.map((k) => [k, 'refused'])) as EsfEntryAnswers });
    const [stored] = await rows<Record<string, string>>(
      `select to_jsonb(e) || to_jsonb(s) as row from public.esf_entries e join public.esf_entry_special s on s.entry_id = e.id where e.participant_id = $1`,
      [p],
    ).then((r) => r.map((x) => (x as unknown as { row: Record<string, string> }).row));
    for (const column of domainColumns) expect(stored![column], column).toBe('refused');
  });

  it('computes complete as domain/esf.ts entryIsComplete does', async () => {
    const cases: Array<{ answers: EsfEntryAnswers; ageBand: EsfAgeBand | null }> = [
      { answers: {}, ageBand: 'age_18_29' },
      { answers: { labourStatus: 'unemployed', education: 'isced_0_2', gender: 'male' }, ageBand: 'age_18_29' },
      { answers: { labourStatus: 'unemployed', education: 'isced_0_2', gender: 'male' }, ageBand: null },
      { answers: { labourStatus: 'unemployed', education: 'refused', gender: 'male' }, ageBand: 'under_18' },
      { answers: { labourStatus: 'inactive', gender: 'non_binary', homeless: 'yes', rural: 'no' }, ageBand: 'age_55_plus' },
      { answers: { labourStatus: 'self_employed', education: 'isced_5_8', gender: 'refused', disability: 'no' }, ageBand: 'age_30_54' },
      { answers: { labourStatus: 'long_term_unemployed', education: 'isced_5_8', gender: 'female', disability: 'refused', thirdCountryNational: 'yes', foreignOrigin: 'yes', minority: 'refused', homeless: 'refused', rural: 'refused' }, ageBand: 'age_30_54' },
    ];
    for (const c of cases) {
      const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
      const result = await recordAs(p, { answers: c.answers, ageBand: c.ageBand });
      expect(result.complete, JSON.stringify(c)).toBe(entryIsComplete(c.answers, c.ageBand));
    }
    // Every question was in the cases, and both outcomes.
    expect(new Set(cases.flatMap((c) => Object.keys(c.answers)))).toEqual(new Set(ESF_ENTRY_KEYS));
    expect(new Set(cases.map((c) => entryIsComplete(c.answers, c.ageBand)))).toEqual(new Set([true, false]));
  });

  it('opens the staff task once while a core question is unanswered, and settles it once, by who recorded the version that answers the last one', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    await recordAs(p, { answers: { gender: 'female' } });
    const [opened] = await tasksOf(p);
    expect(await tasksOf(p)).toHaveLength(1);
    // Nobody assigned: staff of the site see it with their own tasks (api/queries.ts myTasks).
    expect(opened).toMatchObject({ key: `esf_entry_incomplete/${p}`, kind: 'esf_entry_incomplete', status: 'open', assignee_id: null, path_run: 1, site_id: ids.s1, completed_by: null });
    expect(opened!.due_at.toISOString()).toBe(DUE);

    // Still unanswered: the same task, its due date unchanged.
    await recordAs(p, { answers: { homeless: 'no' }, reason: 'Aangevuld.' });
    expect(await tasksOf(p)).toEqual([opened]);

    // Answered, one of them with a refusal: staff did what they could; the record stays incomplete for the fund.
    expect(await recordAs(p, { answers: { labourStatus: 'unemployed', education: 'refused' }, reason: 'Aangevuld aan de balie.', by: ids.staff1 })).toMatchObject({ complete: false });
    const [done] = await tasksOf(p);
    expect(done).toMatchObject({ status: 'done', completed_by: ids.staff1 });
    expect(done!.completed_at).not.toBeNull();

    // A later correction settles nothing again.
    await recordAs(p, { answers: { education: 'isced_0_2' }, reason: 'Toch geantwoord.', by: ids.coachA });
    expect(await tasksOf(p)).toEqual([done]);
  });

  it('a refusal is an answer: no task when every core question is answered, refused or not; the age band missing is a task', async () => {
    const refused = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    expect(await recordAs(refused, { answers: { labourStatus: 'refused', education: 'refused', gender: 'refused' } })).toMatchObject({ complete: false });
    expect(await tasksOf(refused)).toEqual([]);
    const noAgeBand = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    await recordAs(noAgeBand, { answers: { labourStatus: 'employed', education: 'isced_5_8', gender: 'male' }, ageBand: null });
    expect((await tasksOf(noAgeBand)).map((t) => t.status)).toEqual(['open']);
  });

  it('never opens again a task someone closed, and puts it on the run it is given', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    await recordAs(p, { answers: { gender: 'female' }, pathRun: 3 });
    expect((await tasksOf(p)).map((t) => [t.status, t.path_run])).toEqual([['open', 3]]);
    await stack.sql.query("update public.tasks set status = 'done', completed_at = now(), completed_by = $2 where participant_id = $1", [p, ids.staff1]);
    await recordAs(p, { answers: { homeless: 'yes' }, reason: 'Aangevuld.' });
    expect((await tasksOf(p)).map((t) => [t.status, t.completed_by])).toEqual([['done', ids.staff1]]);
  });

  it('at intake (first only) writes version 1 once: a retry or a re-entry finds it and changes nothing', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    const first = await recordAs(p, { answers: { labourStatus: 'unemployed' }, firstOnly: true });
    expect(first).toMatchObject({ version: 1, recorded: true, complete: false });
    const retry = await recordAs(p, { answers: { labourStatus: 'employed', education: 'isced_3_4', gender: 'male' }, firstOnly: true });
    expect(retry).toEqual({ ...first, recorded: false });
    expect((await versionsOf(p)).map((v) => [v.version, v.labour_status])).toEqual([[1, 'unemployed']]);
    expect(await tasksOf(p)).toHaveLength(1);
  });

  it('refuses an erased participant; erasure keeps the versions (codes only) and drops the reasons', async () => {
    const p = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    await recordAs(p, { answers: { labourStatus: 'unemployed', education: 'isced_0_2', gender: 'male', disability: 'yes' } });
    await recordAs(p, { answers: { disability: 'no' }, reason: 'Vergissing.' });
    const { error } = await stack.db.rpc('erase_participant', { p_participant: p });
    expect(error).toBeNull();
    expect((await versionsOf(p)).map((v) => [v.version, v.reason_note_id, v.disability])).toEqual([
      [1, null, 'yes'],
      [2, null, 'no'],
    ]);
    expect((await call(stack.db, p, { answers: { gender: 'female' }, reason: 'x' })).error?.message).toBe('esf_participant_erased');
  });
});

describe('special-category data stay special (issue 16, item 7), through PostgREST', () => {
  let pA: string;
  let pB: string;
  let pC: string;

  beforeAll(async () => {
    pA = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachA });
    pB = await insertParticipant(stack, { siteId: ids.s1, coachId: ids.coachB });
    pC = await insertParticipant(stack, { siteId: ids.s2, coachId: null });
    for (const p of [pA, pB, pC]) await recordAs(p, { answers: { labourStatus: 'unemployed', disability: 'yes', thirdCountryNational: 'no', foreignOrigin: 'refused', minority: 'yes' } });
  });

  const named = (participant: string) => ({ [pA]: 'pA', [pB]: 'pB', [pC]: 'pC' })[participant] ?? `other ${participant}`;

  it('esf_entry_special: only the participant\'s own coach reads the answers; another coach, staff, a coordinator nothing; anon is refused', async () => {
    const expected: Record<Exclude<Actor, 'anon' | 'service'>, string[]> = { coachA: ['pA'], coachB: ['pB'], staff1: [], staff2: [], coordinator: [] };
    for (const [actor, owners] of Object.entries(expected)) {
      const { data, error } = await clients[actor as Actor].from('esf_entry_special').select('participant_id, disability, minority');
      expect(error, actor).toBeNull();
      expect(data!.map((r) => named(r.participant_id)).filter((n) => !n.startsWith('other')).sort(), actor).toEqual(owners);
      // Whatever else is read (rows of the tests above): only participants this person coaches.
      const coached = (await rows<{ id: string }>('select id from public.participants where coach_id = $1', [ids[actor as keyof typeof ids]])).map((r) => r.id);
      for (const row of data!) expect(coached, `${actor} reads ${row.participant_id}`).toContain(row.participant_id);
    }
    const own = await clients.coachA.from('esf_entry_special').select('disability, third_country_national, foreign_origin, minority').eq('participant_id', pA);
    expect(own.data).toEqual([{ disability: 'yes', third_country_national: 'no', foreign_origin: 'refused', minority: 'yes' }]);
    const anon = await clients.anon.from('esf_entry_special').select('participant_id');
    expect(anon.error?.code).toBe(PERMISSION_DENIED);
  });

  it('esf_entries: the coach their participants\' versions, staff their site\'s; the coordinator none; anon is refused', async () => {
    const expected: Record<Exclude<Actor, 'anon' | 'service'>, string[]> = { coachA: ['pA'], coachB: ['pB'], staff1: ['pA', 'pB'], staff2: ['pC'], coordinator: [] };
    for (const [actor, owners] of Object.entries(expected)) {
      const { data, error } = await clients[actor as Actor].from('esf_entries').select('participant_id').in('participant_id', [pA, pB, pC]);
      expect(error, actor).toBeNull();
      expect(data!.map((r) => named(r.participant_id)).sort(), actor).toEqual(owners);
    }
    expect((await clients.anon.from('esf_entries').select('participant_id')).error?.code).toBe(PERMISSION_DENIED);
  });

  it('nobody but the service role inserts, updates or deletes any ESF+ table: not the own coach, staff, a coordinator or anon', async () => {
    const entryId = (await rows<{ id: string }>('select id from public.esf_entries where participant_id = $1', [pA]))[0]!.id;
    const rowFor: Record<(typeof ESF_TABLES)[number], Record<string, unknown>> = {
      esf_entries: { participant_id: pA, site_id: ids.s1, version: 9, entered_on: '2026-11-30', complete: true },
      esf_entry_special: { entry_id: entryId, participant_id: pA, site_id: ids.s1, disability: 'no' },
      esf_results: { key: randomUUID(), participant_id: pA, site_id: ids.s1, path_run: 1, kind: 'six_months', observed_on: '2026-11-30', follow_up: 'working', source: 'coach', recorded_at: new Date().toISOString() },
    };
    const change: Record<(typeof ESF_TABLES)[number], Record<string, unknown>> = {
      esf_entries: { labour_status: 'employed' },
      esf_entry_special: { disability: 'no' },
      esf_results: { follow_up: 'working' },
    };
    for (const table of ESF_TABLES) {
      for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
        const from = () => clients[actor].from(table as 'esf_results');
        expect((await from().insert(rowFor[table] as never)).error?.code, `${actor} inserts ${table}`).toBe(PERMISSION_DENIED);
        expect((await from().update(change[table] as never).eq('participant_id', pA)).error?.code, `${actor} updates ${table}`).toBe(PERMISSION_DENIED);
        expect((await from().delete().eq('participant_id', pA)).error?.code, `${actor} deletes ${table}`).toBe(PERMISSION_DENIED);
      }
    }
    expect(await rows('select disability from public.esf_entry_special where participant_id = $1', [pA])).toEqual([{ disability: 'yes' }]);
    expect(await rows('select version, labour_status from public.esf_entries where participant_id = $1', [pA])).toEqual([{ version: 1, labour_status: 'unemployed' }]);
  });

  it('a version never changes, not even by the service role (the trigger)', async () => {
    const entries = await clients.service.from('esf_entries').update({ labour_status: 'employed' }).eq('participant_id', pA).select('id');
    expect(entries.error?.code).toBe('55000');
    expect(entries.error?.message).toContain('never changes');
    const special = await clients.service.from('esf_entry_special').update({ disability: 'no' }).eq('participant_id', pA).select('entry_id');
    expect(special.error?.code).toBe('55000');
    expect(await rows('select e.labour_status, s.disability from public.esf_entries e join public.esf_entry_special s on s.entry_id = e.id where e.participant_id = $1', [pA])).toEqual([
      { labour_status: 'unemployed', disability: 'yes' },
    ]);
  });

  it('record_esf_entry and esf_special_answered are for the service role only: not executable by anon or any signed-in person', async () => {
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      const { error } = await call(clients[actor], pA, { answers: { labourStatus: 'employed' }, reason: 'x' });
      expect(error?.code, actor).toBe(PERMISSION_DENIED);
    }
    const { rows: grants } = await stack.sql.query<{ proname: string; anon: boolean; authenticated: boolean; service: boolean }>(
      `select p.proname, has_function_privilege('anon', p.oid, 'execute') as anon, has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
              has_function_privilege('service_role', p.oid, 'execute') as service
         from pg_proc p where p.proname in ('record_esf_entry', 'esf_special_answered') order by p.proname`,
    );
    expect(grants).toEqual([
      { proname: 'esf_special_answered', anon: false, authenticated: false, service: true },
      { proname: 'record_esf_entry', anon: false, authenticated: false, service: true },
    ]);
    const entryId = (await rows<{ id: string }>('select id from public.esf_entries where participant_id = $1', [pA]))[0]!.id;
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      expect((await clients[actor].rpc('esf_special_answered', { p_entry: entryId })).error?.code, actor).toBe(PERMISSION_DENIED);
    }
    // Which special questions hold an answer (a refusal too), never the answers.
    expect((await clients.service.rpc('esf_special_answered', { p_entry: entryId })).data).toEqual(['disability', 'foreign_origin', 'minority', 'third_country_national']);
    expect(await rows('select count(*)::int as n from public.esf_entries where participant_id = $1', [pA])).toEqual([{ n: 1 }]);
  });
});
