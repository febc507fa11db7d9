import { dueAfter, formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { ESF_ENTRY_ITEMS, ESF_ENTRY_KEYS, REFUSED, ageBandOn, type EsfAgeBand, type EsfEntryAnswers, type EsfEntryKey } from '../domain/esf.js';
import type { Json } from '../supabase/types.js';
import type { ApiDeps, SignedInUser } from './context.js';
import { ApiError } from './errors.js';

/**
 * The ESF+ entry snapshot on the API's side (README, "ESF+ indicators" → "Entry snapshot"):
 * version 1 at intake, a new version for every completion or correction, all through one SQL
 * function (public.record_esf_entry) that writes the version, its special-category part and the
 * staff task in one transaction. The special answers never leave this module towards anyone but
 * the participant's own coach: staff learn only that a question was answered.
 */

/** Who reads the special-category answers: the participant's own coach, nobody else (as the database's policy). */
export function readsSpecial(user: SignedInUser, participant: { coach_id: string | null }): boolean {
  return user.role === 'coach' && participant.coach_id === user.id;
}

/** The answers as the function takes them: {column: code}. */
function toColumns(answers: EsfEntryAnswers): Record<string, string> {
  const columns: Record<string, string> = {};
  for (const key of ESF_ENTRY_KEYS) {
    const answer = answers[key];
    if (answer !== undefined) columns[ESF_ENTRY_ITEMS[key].column] = answer;
  }
  return columns;
}

/** The local day (Europe/Brussels) of an instant, YYYY-MM-DD. */
function localDay(iso: string): string {
  return formatLocalDate(toLocalDate(Date.parse(iso)));
}

export interface RecordedEntry {
  entryId: string;
  version: number;
  complete: boolean;
  /** False when the intake found a record already (a retry, a re-entry): nothing was written. */
  recorded: boolean;
}

const REFUSALS: Record<string, (detail: string) => ApiError> = {
  esf_reason_missing: () => new ApiError('invalid_input', 'Ongeldige invoer: reason (schrijf waarom je de ESF-gegevens verbetert)', { reason: 'schrijf waarom je de ESF-gegevens verbetert' }),
  esf_entry_unchanged: () => new ApiError('refused', 'Er verandert niets aan de ESF-gegevens: kies minstens één ander antwoord.'),
  esf_participant_erased: () => new ApiError('refused', 'De gegevens van deze deelnemer zijn gewist; de ESF-gegevens blijven zoals ze zijn.'),
  esf_participant_unknown: () => new ApiError('not_found', 'Deze deelnemer bestaat niet.'),
  // The function names the key it does not know in the detail: the question's field when it is
  // one of ours under another name, else the key itself.
  esf_answer_unknown: (detail) => {
    const field = ESF_ENTRY_KEYS.find((k) => ESF_ENTRY_ITEMS[k].column === detail) ?? (detail || '_');
    return new ApiError('invalid_input', `Ongeldige invoer: ${field} (onbekende ESF-vraag)`, { [field]: 'onbekende ESF-vraag' });
  },
};

/** The ApiError a refusal of public.record_esf_entry stands for, if it is one (the message is its name, the detail its argument). */
export function esfRefusal(error: { message: string; details?: string | null }): ApiError | undefined {
  const refusal = Object.hasOwn(REFUSALS, error.message) ? REFUSALS[error.message] : undefined;
  return refusal?.(error.details ?? '');
}

interface RecordOptions {
  by: string;
  answers: EsfEntryAnswers;
  /** Why a correction is made; the function writes it as a note in the same transaction. */
  reason: string | null;
  /** Whether `by` reads the special answers (readsSpecial): only then do they count as "unchanged". */
  readsSpecial: boolean;
  firstOnly: boolean;
  /** From when the task's grace counts (ms). */
  taskFrom: number;
  /** The path run the task belongs to; undefined: the participant's latest run (the database knows it). */
  pathRun?: number | undefined;
}

async function record(deps: ApiDeps, participant: { id: string; created_at: string; birth_date: string | null }, o: RecordOptions): Promise<RecordedEntry> {
  // The day of entry is the day of the intake (the participant row's), so a retried or late
  // first record has the same day and age band as one written at the desk.
  const enteredOn = localDay(participant.created_at);
  const ageBand: EsfAgeBand | null = participant.birth_date ? ageBandOn(participant.birth_date, enteredOn) : null;
  const taskDue = new Date(dueAfter(o.taskFrom, deps.config.ESF_ENTRY_GRACE, deps.config.LOCAL_HOUR)).toISOString();
  const { data, error } = await deps.db.rpc('record_esf_entry', {
    p_participant: participant.id,
    p_by: o.by,
    p_answers: toColumns(o.answers) as Json,
    p_entered_on: enteredOn,
    p_age_band: ageBand as EsfAgeBand,
    p_reason: o.reason as string,
    p_task_due: taskDue,
    p_path_run: (o.pathRun ?? null) as number,
    p_reads_special: o.readsSpecial,
    p_first_only: o.firstOnly,
  });
  if (error) {
    const refusal = esfRefusal(error);
    if (refusal) throw refusal;
    throw new Error(`record ESF+ entry: ${error.message}`);
  }
  const result = data as { entry_id: string; version: number; complete: boolean; recorded: boolean };
  return { entryId: result.entry_id, version: result.version, complete: result.complete, recorded: result.recorded };
}

/**
 * At intake: version 1 with what staff asked, unless the person has a record already (a retried
 * intake, a repeated one, a re-entry: the first entry's data stay). Every attempt of an intake
 * calls it, so an intake that stopped before it is completed by its retry, which writes the record
 * it missed. `created`: this request made the participant row, so the task's grace counts from
 * the row's creation; otherwise (a retry, a repeated intake, a re-entry) from now, this intake.
 * `pathRun`: the run the task belongs to (at a re-entry, the new one).
 */
export function recordEntryAtIntake(
  deps: ApiDeps,
  participant: { id: string; created_at: string; birth_date: string | null },
  answers: EsfEntryAnswers,
  o: { by: string; created: boolean; pathRun?: number | undefined },
): Promise<RecordedEntry> {
  return record(deps, participant, {
    by: o.by,
    answers,
    reason: null,
    // Version 1 only: nothing to compare with. The desk is staff, who do not read them anyway.
    readsSpecial: false,
    firstOnly: true,
    taskFrom: o.created ? Date.parse(participant.created_at) : Date.now(),
    pathRun: o.pathRun,
  });
}

export interface EntryCorrection {
  answers: EsfEntryAnswers;
  reason?: string | undefined;
}

/**
 * Completing or correcting the record: a new version with the answers given (the rest carried
 * forward) and, when a version exists already, the reason, which the SQL function writes as a
 * note in the same transaction (so a refused or failed correction leaves none). Staff of the site
 * and the participant's coach (participantFor checked it).
 */
export async function correctEntry(
  deps: ApiDeps,
  user: SignedInUser,
  participant: { id: string; erased_at: string | null; coach_id: string | null },
  correction: EntryCorrection,
): Promise<RecordedEntry> {
  if (participant.erased_at) throw REFUSALS.esf_participant_erased!('');
  if (Object.keys(correction.answers).length === 0) {
    throw new ApiError('invalid_input', 'Ongeldige invoer: _ (beantwoord minstens één vraag)', { _: 'beantwoord minstens één vraag' });
  }
  const { data: row, error: readError } = await deps.db.from('participants').select('id, created_at, birth_date').eq('id', participant.id).single();
  if (readError) throw new Error(`read participant: ${readError.message}`);
  return record(deps, row, {
    by: user.id,
    answers: correction.answers,
    reason: correction.reason?.trim() || null,
    readsSpecial: readsSpecial(user, participant),
    firstOnly: false,
    taskFrom: Date.now(),
  });
}

export interface EntryVersion {
  version: number;
  complete: boolean;
  recordedAt: string;
  recordedBy: string | null;
  reasonNoteId: string | null;
}

export interface EntryView {
  /** Whether the one asking reads the special-category answers (the participant's own coach). */
  readsSpecial: boolean;
  current: {
    version: number;
    enteredOn: string;
    ageBand: EsfAgeBand | null;
    complete: boolean;
    /** The answers this person may read: all for the own coach, the non-special ones for staff. */
    answers: EsfEntryAnswers;
    /** Which questions have an answer (a refusal included): what staff see of the special ones. */
    answered: EsfEntryKey[];
    /** What keeps the record from counting: core questions not answered or refused, no age band. */
    missing: Array<EsfEntryKey | 'ageBand'>;
  } | null;
  /** Every version, the first first. */
  versions: EntryVersion[];
}

/** The special answers of a version: for the participant's own coach only. */
async function specialAnswers(deps: ApiDeps, entryId: string): Promise<Record<string, string | null>> {
  const { data, error } = await deps.db.from('esf_entry_special').select('disability, third_country_national, foreign_origin, minority').eq('entry_id', entryId).maybeSingle();
  if (error) throw new Error(`read ESF+ special answers: ${error.message}`);
  return data ?? {};
}

/** Which special questions of a version were answered, as a placeholder value each: for anyone else. */
async function specialAnswered(deps: ApiDeps, entryId: string): Promise<Record<string, string>> {
  const { data, error } = await deps.db.rpc('esf_special_answered', { p_entry: entryId });
  if (error) throw new Error(`read which ESF+ special questions were answered: ${error.message}`);
  return Object.fromEntries((data ?? []).map((column) => [column, ANSWERED]));
}

/** The stand-in for a special answer someone may not read: only that there is one. */
const ANSWERED = 'answered';

/** The record as the one asking may read it; special values only for the participant's own coach. */
export async function entryView(deps: ApiDeps, user: SignedInUser, participant: { id: string; coach_id: string | null }): Promise<EntryView> {
  const own = readsSpecial(user, participant);
  const { data: rows, error } = await deps.db
    .from('esf_entries')
    .select('id, version, entered_on, age_band, labour_status, education, gender, homeless, rural, complete, reason_note_id, recorded_by, recorded_at')
    .eq('participant_id', participant.id)
    .order('version');
  if (error) throw new Error(`read ESF+ entries: ${error.message}`);
  const versions = rows.map((r) => ({ version: r.version, complete: r.complete, recordedAt: r.recorded_at, recordedBy: r.recorded_by, reasonNoteId: r.reason_note_id }));
  const last = rows.at(-1);
  if (!last) return { readsSpecial: own, current: null, versions };
  // The special answers are read only for who may read them (the service role reads every row):
  // for staff, only whether each was answered, which the database tells without the values.
  const all = { ...last, ...(own ? await specialAnswers(deps, last.id) : await specialAnswered(deps, last.id)) } as unknown as Record<string, string | null>;
  const answers: Record<string, string> = {};
  const answered: EsfEntryKey[] = [];
  for (const key of ESF_ENTRY_KEYS) {
    const value = all[ESF_ENTRY_ITEMS[key].column];
    if (value === null || value === undefined) continue;
    answered.push(key);
    // Staff learn that a special question was answered, never the answer.
    if (!ESF_ENTRY_ITEMS[key].special || own) answers[key] = value;
  }
  const missing: Array<EsfEntryKey | 'ageBand'> = ESF_ENTRY_KEYS.filter((k) => ESF_ENTRY_ITEMS[k].core && (all[ESF_ENTRY_ITEMS[k].column] ?? REFUSED) === REFUSED);
  if (!last.age_band) missing.push('ageBand');
  return {
    readsSpecial: own,
    current: { version: last.version, enteredOn: last.entered_on, ageBand: last.age_band, complete: last.complete, answers: answers as EsfEntryAnswers, answered, missing },
    versions,
  };
}
