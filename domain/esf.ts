import { parseLocalDate, type LocalDate } from './calendar.js';

/**
 * What the European Social Fund Plus counts of a participant (the common indicators of
 * Regulation (EU) 2021/1057, Annexes I and II; README, "ESF+ indicators"): who they were at entry,
 * where they are within 28 days of leaving, and whether they work six months after leaving.
 *
 * The calls of Europa WSE decide the exact data per project, so the questions are data here, not
 * code spread over forms and queries: the API, the pages, the path and the report derive from
 * these lists. Every code here is mirrored by an enum in supabase/migrations (the same order,
 * tests/data-activities.test.ts keeps them equal). Plain TypeScript: the workflow bundle imports it.
 */

/** "Wil niet antwoorden": a question asked and not answered. Recorded as such, never guessed. */
export const REFUSED = 'refused' as const;
export const REFUSED_LABEL = 'Wil niet antwoorden';

export const ESF_LABOUR_STATUSES = ['unemployed', 'long_term_unemployed', 'inactive', 'employed', 'self_employed'] as const;
export type EsfLabourStatus = (typeof ESF_LABOUR_STATUSES)[number];
export const ESF_EDUCATION_LEVELS = ['isced_0_2', 'isced_3_4', 'isced_5_8'] as const;
export type EsfEducation = (typeof ESF_EDUCATION_LEVELS)[number];
export const ESF_GENDERS = ['female', 'male', 'non_binary'] as const;
export type EsfGender = (typeof ESF_GENDERS)[number];
export const ESF_YES_NO = ['yes', 'no'] as const;
export type EsfYesNo = (typeof ESF_YES_NO)[number];

/** Derived from the birth date on the day of entry; never asked, never refused. */
export const ESF_AGE_BANDS = ['under_18', 'age_18_29', 'age_30_54', 'age_55_plus'] as const;
export type EsfAgeBand = (typeof ESF_AGE_BANDS)[number];

export const ESF_LABELS: Record<string, string> = {
  unemployed: 'Werkloos (korter dan 12 maanden)',
  long_term_unemployed: 'Langdurig werkloos (12 maanden of langer)',
  inactive: 'Inactief (niet aan het werk en niet op zoek)',
  employed: 'Aan het werk (in loondienst)',
  self_employed: 'Zelfstandige',
  isced_0_2: 'Hoogstens lager secundair (ISCED 0–2)',
  isced_3_4: 'Hoger secundair of postsecundair (ISCED 3–4)',
  isced_5_8: 'Hoger onderwijs (ISCED 5–8)',
  female: 'Vrouw',
  male: 'Man',
  non_binary: 'Non-binair',
  yes: 'Ja',
  no: 'Nee',
  under_18: 'Jonger dan 18',
  age_18_29: '18 tot 29',
  age_30_54: '30 tot 54',
  age_55_plus: '55 of ouder',
  [REFUSED]: REFUSED_LABEL,
};

export interface EsfEntryItem {
  /** The column of public.esf_entries (or public.esf_entry_special when `special`). */
  readonly column: string;
  /** The database enum of the answers (the values below plus "refused"). */
  readonly enumName: string;
  readonly values: readonly string[];
  /** The question, in Dutch. */
  readonly label: string;
  /**
   * One of the four the fund needs for a record to count (with the age band): a record without
   * one of them, or with a refusal for one, is incomplete and counted apart.
   */
  readonly core: boolean;
  /**
   * Special-category data (GDPR article 9: health, origin): stored apart, read only by the
   * participant's own coach, and by coordinators as counts.
   */
  readonly special: boolean;
}

/** The entry questions, in the order of the form. Every one may be answered "wil niet antwoorden". */
export const ESF_ENTRY_ITEMS = {
  labourStatus: { column: 'labour_status', enumName: 'esf_labour_status', values: ESF_LABOUR_STATUSES, label: 'Situatie op de arbeidsmarkt', core: true, special: false },
  education: { column: 'education', enumName: 'esf_education', values: ESF_EDUCATION_LEVELS, label: 'Hoogst behaalde diploma', core: true, special: false },
  gender: { column: 'gender', enumName: 'esf_gender', values: ESF_GENDERS, label: 'Gender', core: true, special: false },
  homeless: { column: 'homeless', enumName: 'esf_yes_no', values: ESF_YES_NO, label: 'Dakloos of zonder eigen woonst', core: false, special: false },
  rural: { column: 'rural', enumName: 'esf_yes_no', values: ESF_YES_NO, label: 'Woont op het platteland', core: false, special: false },
  disability: { column: 'disability', enumName: 'esf_yes_no', values: ESF_YES_NO, label: 'Heeft een handicap', core: false, special: true },
  thirdCountryNational: { column: 'third_country_national', enumName: 'esf_yes_no', values: ESF_YES_NO, label: 'Onderdaan van een land buiten de EU', core: false, special: true },
  foreignOrigin: { column: 'foreign_origin', enumName: 'esf_yes_no', values: ESF_YES_NO, label: 'Van buitenlandse herkomst', core: false, special: true },
  minority: { column: 'minority', enumName: 'esf_yes_no', values: ESF_YES_NO, label: 'Behoort tot een minderheid (ook Roma)', core: false, special: true },
} as const satisfies Record<string, EsfEntryItem>;
export type EsfEntryKey = keyof typeof ESF_ENTRY_ITEMS;
export const ESF_ENTRY_KEYS = Object.keys(ESF_ENTRY_ITEMS) as EsfEntryKey[];

/** An answer to an entry question: one of its values, or a refusal. Absent: not asked yet. */
export type EsfEntryAnswers = { [K in EsfEntryKey]?: (typeof ESF_ENTRY_ITEMS)[K]['values'][number] | typeof REFUSED };

/** The answers a question takes: its values, then the refusal. */
export function entryAnswers(key: EsfEntryKey): readonly string[] {
  return [...ESF_ENTRY_ITEMS[key].values, REFUSED];
}

/**
 * Whether a record counts for the fund: the core questions answered (a refusal does not count)
 * and an age band. What is not complete is counted apart as incomplete.
 */
export function entryIsComplete(answers: EsfEntryAnswers, ageBand: EsfAgeBand | null): boolean {
  if (!ageBand) return false;
  return ESF_ENTRY_KEYS.filter((k) => ESF_ENTRY_ITEMS[k].core).every((k) => {
    const answer = answers[k];
    return answer !== undefined && answer !== REFUSED;
  });
}

/** The age band on the day of entry (both local dates, YYYY-MM-DD). */
export function ageBandOn(birthDate: string, entryDate: string): EsfAgeBand {
  const age = fullYears(parseLocalDate(birthDate), parseLocalDate(entryDate));
  if (age < 18) return 'under_18';
  if (age < 30) return 'age_18_29';
  if (age < 55) return 'age_30_54';
  return 'age_55_plus';
}

function fullYears(born: LocalDate, on: LocalDate): number {
  const hadBirthday = on.month > born.month || (on.month === born.month && on.day >= born.day);
  return on.year - born.year - (hadBirthday ? 0 : 1);
}

/**
 * The participant's situation within 28 days after leaving (immediate results). Any may hold at
 * once, except the exclusive pairs below. None of them is a result too ("none of these").
 */
export const ESF_SITUATIONS = ['job_searching', 'in_employment', 'in_education', 'gained_qualification'] as const;
export type EsfSituation = (typeof ESF_SITUATIONS)[number];
export const ESF_SITUATION_LABELS: Record<EsfSituation, string> = {
  job_searching: 'Werkzoekend',
  in_employment: 'Aan het werk (ook als zelfstandige)',
  in_education: 'Volgt onderwijs of een opleiding',
  gained_qualification: 'Behaalde een kwalificatie',
};

/** The fund counts these as excluding each other: a result with both is refused. */
export const ESF_EXCLUSIVE_SITUATIONS: readonly (readonly [EsfSituation, EsfSituation])[] = [
  ['job_searching', 'in_employment'],
  ['in_education', 'gained_qualification'],
];

/** The Dutch reason for each exclusive pair given together; empty when the situations may go together. */
export function situationConflicts(situations: readonly string[]): string[] {
  return ESF_EXCLUSIVE_SITUATIONS.filter(([a, b]) => situations.includes(a) && situations.includes(b)).map(
    ([a, b]) => `"${ESF_SITUATION_LABELS[a]}" en "${ESF_SITUATION_LABELS[b]}" sluiten elkaar uit; kies er één`,
  );
}

/** The question six months after leaving: "werk je op dit moment?" (also as self-employed). */
export const ESF_FOLLOW_UP_ANSWERS = ['working', 'not_working', REFUSED] as const;
export type EsfFollowUpAnswer = (typeof ESF_FOLLOW_UP_ANSWERS)[number];
export const ESF_FOLLOW_UP_LABELS: Record<EsfFollowUpAnswer, string> = {
  working: 'Ja, ik werk (ook als zelfstandige)',
  not_working: 'Nee, nu niet',
  [REFUSED]: 'Zeg ik liever niet',
};

/** The same answers as the coach and the reports name them (about the participant, not in their words). */
export const ESF_FOLLOW_UP_RECORDED_LABELS: Record<EsfFollowUpAnswer, string> = {
  working: 'Werkt (ook als zelfstandige)',
  not_working: 'Werkt nu niet',
  [REFUSED]: REFUSED_LABEL,
};

/** Results are recorded for a leaving: within the 28-day window, or six months later. */
export const ESF_RESULT_KINDS = ['leaving', 'six_months'] as const;
export type EsfResultKind = (typeof ESF_RESULT_KINDS)[number];
