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

const REFUSALS: Record<string, () => ApiError> = {
  esf_reason_missing: () => new ApiError('invalid_input', 'Ongeldige invoer: reason (schrijf waarom je de ESF-gegevens verbetert)', { reason: 'schrijf waarom je de ESF-gegevens verbetert' }),
  esf_entry_unchanged: () => new ApiError('refused', 'Er verandert niets aan de ESF-gegevens: kies minstens één ander antwoord.'),
  esf_participant_erased: () => new ApiError('refused', 'De gegevens van deze deelnemer zijn gewist; de ESF-gegevens blijven zoals ze zijn.'),
  esf_participant_unknown: () => new ApiError('not_found', 'Deze deelnemer bestaat niet.'),
};

async function record(
  deps: ApiDeps,
  participant: { id: string; created_at: string; birth_date: string | null },
  o: { by: string; answers: EsfEntryAnswers; reasonNoteId: string | null; firstOnly: boolean },
): Promise<RecordedEntry> {
  // The day of entry is the day of the intake (the participant row's), so a retried or late
  // first record has the same day and age band as one written at the desk.
  const enteredOn = localDay(participant.created_at);
  const ageBand: EsfAgeBand | null = participant.birth_date ? ageBandOn(participant.birth_date, enteredOn) : null;
  const base = o.firstOnly ? Date.parse(participant.created_at) : Date.now();
  const taskDue = new Date(dueAfter(base, deps.config.ESF_ENTRY_GRACE, deps.config.LOCAL_HOUR)).toISOString();
  const { data, error } = await deps.db.rpc('record_esf_entry', {
    p_participant: participant.id,
    p_by: o.by,
    p_answers: toColumns(o.answers) as Json,
    p_entered_on: enteredOn,
    p_age_band: ageBand as EsfAgeBand,
    p_reason_note: o.reasonNoteId as string,
    p_task_due: taskDue,
    p_first_only: o.firstOnly,
  });
  if (error) {
    const refusal = REFUSALS[error.message];
    if (refusal) throw refusal();
    throw new Error(`record ESF+ entry: ${error.message}`);
  }
  const result = data as { entry_id: string; version: number; complete: boolean; recorded: boolean };
  return { entryId: result.entry_id, version: result.version, complete: result.complete, recorded: result.recorded };
}

/**
 * At intake: version 1 with what staff asked, unless the person has a record already (a retried
 * intake, a repeated one, a re-entry: the first entry's data stay). Called right after the
 * participant row, before the path starts: an intake that stopped in between is completed by its
 * retry, which finds the row and writes the record it missed.
 */
export function recordEntryAtIntake(deps: ApiDeps, participant: { id: string; created_at: string; birth_date: string | null }, answers: EsfEntryAnswers, by: string): Promise<RecordedEntry> {
  return record(deps, participant, { by, answers, reasonNoteId: null, firstOnly: true });
}

export interface EntryCorrection {
  answers: EsfEntryAnswers;
  reason?: string | undefined;
}

/**
 * Completing or correcting the record: a new version with the answers given (the rest carried
 * forward) and, when a version exists already, the reason as a note. Staff of the site and the
 * participant's coach (participantFor checked it).
 */
export async function correctEntry(
  deps: ApiDeps,
  user: SignedInUser,
  participant: { id: string; erased_at: string | null },
  correction: EntryCorrection,
): Promise<RecordedEntry> {
  if (participant.erased_at) throw REFUSALS.esf_participant_erased!();
  const { data: row, error: readError } = await deps.db.from('participants').select('id, created_at, birth_date').eq('id', participant.id).single();
  if (readError) throw new Error(`read participant: ${readError.message}`);
  const { count, error: countError } = await deps.db.from('esf_entries').select('id', { count: 'exact', head: true }).eq('participant_id', participant.id);
  if (countError) throw new Error(`read ESF+ entries: ${countError.message}`);
  const first = !count;
  if (Object.keys(correction.answers).length === 0) {
    throw new ApiError('invalid_input', 'Ongeldige invoer: _ (beantwoord minstens één vraag)', { _: 'beantwoord minstens één vraag' });
  }
  const reason = correction.reason?.trim();
  if (!first && !reason) throw REFUSALS.esf_reason_missing!();
  let noteId: string | null = null;
  if (!first && reason) {
    const { data, error } = await deps.db.from('notes').insert({ participant_id: participant.id, author_id: user.id, body: reason }).select('id').single();
    if (error) throw new Error(`note: ${error.message}`);
    noteId = data.id;
  }
  try {
    return await record(deps, row, { by: user.id, answers: correction.answers, reasonNoteId: noteId, firstOnly: false });
  } catch (err) {
    // A refused correction leaves no reason behind.
    if (noteId && err instanceof ApiError) {
      const { error } = await deps.db.from('notes').delete().eq('id', noteId);
      if (error) deps.logger?.warn({ noteId, participantId: participant.id, error: error.message }, 'could not delete the reason of a refused ESF+ correction');
    }
    throw err;
  }
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
  const { data: special, error: specialError } = await deps.db
    .from('esf_entry_special')
    .select('disability, third_country_national, foreign_origin, minority')
    .eq('entry_id', last.id)
    .maybeSingle();
  if (specialError) throw new Error(`read ESF+ special answers: ${specialError.message}`);
  const all = { ...last, ...(special ?? {}) } as unknown as Record<string, string | null>;
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
