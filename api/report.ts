import {
  CONTACT_LABELS,
  CRISIS_LABELS,
  GROUP_MOMENT_LABELS,
  OUTFLOW_LABELS,
  PHASE_LABELS,
  REFERRAL_SOURCE_LABELS,
} from '../domain/codes.js';
import { ESF_ENTRY_ITEMS, ESF_FOLLOW_UP_RECORDED_LABELS, ESF_LABELS, ESF_SITUATION_LABELS } from '../domain/esf.js';
import type { ApiDeps } from './context.js';
import { ApiError } from './errors.js';

/**
 * The funder report (ESF and partners) for a site and a period. The figures are computed in the
 * database by `public.funder_report(p_site uuid, p_from date, p_to date)`, which returns json;
 * the API adds the CSV form and the Dutch labels for people.
 */

export type ReportValue = string | number | boolean | null | ReportValue[] | { [key: string]: ReportValue };
export type FunderReport = { [key: string]: ReportValue };

export async function funderReport(deps: ApiDeps, siteId: string, from: string, to: string): Promise<FunderReport> {
  const { data, error } = await deps.db.rpc('funder_report', { p_site: siteId, p_from: from, p_to: to });
  if (error) {
    // PGRST202: PostgREST does not know the function (the migration is not applied).
    if (error.code === 'PGRST202') throw new ApiError('unavailable', 'Het rapport is nog niet beschikbaar in deze databank.');
    throw new Error(`funder_report: ${error.message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('funder_report: expected a json object');
  return data as FunderReport;
}

/** Dutch names of the report's parts; an unknown part is shown with its own name, made readable. */
const SECTION_LABELS: Record<string, string> = {
  site: 'Stuyfplek',
  site_id: 'Stuyfplek',
  period: 'Periode',
  from: 'Van',
  to: 'Tot en met',
  intakes: 'Inschrijvingen',
  intakes_by_referral_source: 'Inschrijvingen per doorverwijzer',
  reentries: 'Terugkeer na uitstroom',
  date: 'Op datum',
  transitions: 'Overgangen',
  completed_stays: 'Afgeronde periodes',
  ongoing_stays: 'Lopende periodes',
  average_days_so_far: 'Gemiddeld aantal dagen tot nu',
  expired: 'Verlopen',
  stopped: 'Stopgezet',
  ended_by_outflow: 'Beëindigd door uitstroom',
  not_done: 'Niet gedaan',
  attendances: 'Aanwezigheden',
  participants: 'Deelnemers',
  participants_per_phase: 'Deelnemers per fase',
  phase_changes: 'Faseovergangen',
  time_in_phase: 'Tijd in elke fase',
  days_in_phase: 'Dagen in elke fase',
  agreements: 'Groeiovereenkomsten',
  signed: 'Getekend',
  signalled: 'Gesignaleerd',
  renewed: 'Verlengd',
  completed: 'Afgerond',
  outflow: 'Uitstroom',
  outflow_by_type: 'Uitstroom per soort',
  aftercare: 'Nazorg',
  aftercare_on_time: 'Nazorg op tijd',
  reached: 'Nazorggesprek gehad',
  not_reached: 'Niet bereikt (na de wachttijd)',
  crises: 'Crisissen',
  moved_at_once: 'Meteen overgestapt',
  moved_later: 'Later overgestapt',
  not_moved: 'Niet overgestapt',
  moves_back_with_agreement: 'Terug naar oriëntatie tijdens een groeiovereenkomst',
  continue: 'Overeenkomst liep door',
  pause: 'Overeenkomst gepauzeerd',
  end: 'Overeenkomst gestopt',
  attendance: 'Aanwezigheden',
  attendance_by_kind: 'Aanwezigheden per soort groepsmoment',
  count: 'Aantal',
  total: 'Totaal',
  on_time: 'Op tijd',
  late: 'Te laat',
  done: 'Gedaan',
  due: 'Verwacht',
  average_days: 'Gemiddeld aantal dagen',
  median_days: 'Mediaan (dagen)',
};

const CODE_LABELS: Record<string, string> = {
  ...REFERRAL_SOURCE_LABELS,
  ...PHASE_LABELS,
  ...OUTFLOW_LABELS,
  ...GROUP_MOMENT_LABELS,
  ...CRISIS_LABELS,
  ...CONTACT_LABELS,
};

/** A report key or code as a person reads it. */
export function reportLabel(key: string): string {
  const known = SECTION_LABELS[key] ?? CODE_LABELS[key];
  if (known) return known;
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface ReportRow {
  /** The part of the report (its top-level key). */
  section: string;
  /** Where in that part, as labels ("Oriëntatie", "Getekend"). */
  item: string;
  value: string;
}

function scalar(value: ReportValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'ja' : 'nee';
  // A decimal comma, as a Belgian spreadsheet reads numbers (the separator is a semicolon).
  if (typeof value === 'number') return String(value).replace('.', ',');
  return String(value);
}

/** The part of an object row that names it: its text values, in order. */
function rowName(row: { [key: string]: ReportValue }): string {
  if (typeof row.from === 'string' && typeof row.to === 'string') return `${reportLabel(row.from)} → ${reportLabel(row.to)}`;
  return Object.values(row)
    .filter((v): v is string => typeof v === 'string')
    .map(reportLabel)
    .join(' – ');
}

/**
 * Flattens the report into rows of (section, item, value), whatever its nesting: objects add
 * their keys to the item, lists of rows are named by their text values, numbers are the values.
 */
export function reportRows(report: FunderReport): ReportRow[] {
  const rows: ReportRow[] = [];
  const walk = (section: string, trail: string[], value: ReportValue) => {
    if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) {
      rows.push({ section, item: trail.join(' / '), value: '' });
    } else if (Array.isArray(value)) {
      value.forEach((entry, i) => {
        if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
          const name = rowName(entry) || String(i + 1);
          const numbers = Object.entries(entry).filter(([, v]) => typeof v !== 'string');
          for (const [key, v] of numbers) walk(section, [...trail, name, ...(numbers.length > 1 ? [reportLabel(key)] : [])], v);
        } else walk(section, [...trail, String(i + 1)], entry);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) walk(section, [...trail, reportLabel(key)], v);
    } else {
      rows.push({ section, item: trail.join(' / '), value: scalar(value) });
    }
  };
  for (const [key, value] of Object.entries(report)) walk(reportLabel(key), [], value);
  return rows;
}

function csvCell(text: string): string {
  return /[";\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report as CSV for a spreadsheet: semicolons (what Excel expects in Belgium), CRLF line
 * ends, and a byte-order mark so that accents survive.
 */
export function reportCsv(report: FunderReport): string {
  const lines = [['Onderdeel', 'Item', 'Waarde'], ...reportRows(report).map((r) => [r.section, r.item, r.value])];
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(';')).join('\r\n')}\r\n`;
}

// ------------------------------------------------------------------------------------------------
// ESF+ indicators (README, "ESF+ indicators" → "The report and its CSV"): computed in the database
// by public.esf_report(site, from, to); here the Dutch labels (from domain/esf.ts) and the CSV.

type Counts = Record<string, number>;
/** Counts of special-category answers: null is a cell hidden by disclosure control ("<5"). */
type GuardedCounts = Record<string, number | null>;
type Headcount = { participants: number; complete: number; incomplete: number };
export const ESF_SPECIAL_COLUMNS = Object.values(ESF_ENTRY_ITEMS)
  .filter((item) => item.special)
  .map((item) => item.column);

export interface EsfReport {
  site: string;
  from: string;
  to: string;
  entries: Headcount & {
    incomplete_detail: { without_record: number; refused: Counts; missing: Counts };
    labour_status: Counts;
    labour_status_totals: Counts;
    education: Counts;
    gender: Counts;
    age_band: Counts;
    homeless: Counts;
    rural: Counts;
    /**
     * Special-category answers under disclosure control (README, "The report and its CSV"):
     * `items` only when the period has at least `min_participants` complete entries, a cell of 1
     * up to `suppressed_below` - 1 (and its complement) null. Both limits come from the database.
     */
    special: { disclosed: boolean; min_participants: number; suppressed_below: number; items: Record<string, GuardedCounts> | null };
  };
  leavers: Headcount & { result_window_days: number[]; outflow_type: Counts; result_28_days: Counts };
  six_months: Headcount & { follow_up: Counts };
}

/** Participants per phase (and in aftercare) on a day: at each month end of the period and its end. */
export interface PhasePoint {
  date: string;
  orientation: number;
  focus: number;
  activation: number;
  aftercare: number;
}

async function reportRpc(deps: ApiDeps, fn: 'esf_report' | 'participants_per_phase_series', siteId: string, from: string, to: string): Promise<unknown> {
  const { data, error } = await deps.db.rpc(fn, { p_site: siteId, p_from: from, p_to: to });
  if (error) {
    if (error.code === 'PGRST202') throw new ApiError('unavailable', 'Het rapport is nog niet beschikbaar in deze databank.');
    throw new Error(`${fn}: ${error.message}`);
  }
  return data;
}

export async function esfReport(deps: ApiDeps, siteId: string, from: string, to: string): Promise<EsfReport> {
  const data = await reportRpc(deps, 'esf_report', siteId, from, to);
  if (data === null || typeof data !== 'object' || !('entries' in data)) throw new Error('esf_report: expected the indicators');
  return data as EsfReport;
}

export async function phaseSeries(deps: ApiDeps, siteId: string, from: string, to: string): Promise<PhasePoint[]> {
  const data = await reportRpc(deps, 'participants_per_phase_series', siteId, from, to);
  if (!Array.isArray(data)) throw new Error('participants_per_phase_series: expected a list');
  return data as PhasePoint[];
}

export type EsfGroup = 'entries' | 'leavers' | 'six_months';
export const ESF_GROUP_LABELS: Record<EsfGroup, string> = {
  entries: 'Bij de start (instroom)',
  leavers: 'Bij het verlaten (uitstroom) en het resultaat erna',
  // The fund's name of the indicator (the day itself is the path's: outflows.follow_up_on).
  six_months: 'Zes maanden na het verlaten',
};

/**
 * The title of the result after leaving, from the windows the report counted in (the path's
 * window, the fund's 28 days by default): "binnen 28 dagen", or the range when they differ.
 */
export function resultWindowTitle(days: readonly number[]): string {
  const span = days.length === 0 ? null : days.length === 1 ? `${days[0]} dagen` : `${Math.min(...days)} tot ${Math.max(...days)} dagen`;
  return span ? `Situatie binnen ${span} na het verlaten` : 'Situatie kort na het verlaten';
}

/** What the special block says when the period has too few complete entries to show it. */
export function specialWithheld(minParticipants: number): string {
  return `Te weinig deelnemers om deze antwoorden te tonen: ze staan er pas bij ${minParticipants} of meer volledig geregistreerde deelnemers in de periode, zodat niemand uit de aantallen te herkennen is.`;
}

/** The labels of the report's own codes: the subtotals, what was not answered, the headcounts. */
const ESF_REPORT_LABELS: Record<string, string> = {
  all: 'Alle deelnemers',
  complete: 'Volledig geregistreerd',
  incomplete: 'Onvolledig geregistreerd',
  without_record: 'Zonder registratie',
  not_answered: 'Niet gevraagd',
  unemployed_incl_long_term: 'Werkloos, ook langdurig werkloos',
  long_term_unemployed: 'waarvan langdurig werkloos',
  inactive: 'Inactief',
  employed_incl_self_employed: 'Aan het werk, ook als zelfstandige',
  self_employed: 'waarvan zelfstandige',
  none_of_these: 'Geen van deze',
  no_result: 'Geen resultaat geregistreerd',
  no_answer: 'Geen antwoord',
  age_band: 'Leeftijd bij de start',
};

const ITEM_LABELS: Record<string, string> = Object.fromEntries(Object.values(ESF_ENTRY_ITEMS).map((item) => [item.column, item.label]));

export interface EsfTableRow {
  code: string;
  label: string;
  /** The number, or "<5" for a cell hidden by disclosure control. */
  count: string;
}
export interface EsfTable {
  group: EsfGroup;
  /** The indicator's code (a CSV column value; README, "The report and its CSV"). */
  indicator: string;
  title: string;
  /** A special-category item (shown under disclosure control). */
  special?: true;
  /** Why there are no rows: too few participants to show a special-category item. */
  withheld?: string;
  rows: EsfTableRow[];
}

function table(group: EsfGroup, indicator: string, title: string, counts: GuardedCounts, labels: Record<string, string> = {}, hidden = '<5'): EsfTable {
  return {
    group,
    indicator,
    title,
    rows: Object.entries(counts).map(([code, count]) => ({
      code,
      label: labels[code] ?? ESF_LABELS[code] ?? ESF_REPORT_LABELS[code] ?? reportLabel(code),
      count: count === null ? hidden : String(count),
    })),
  };
}

function specialTable(special: EsfReport['entries']['special'], column: string, title: string): EsfTable {
  if (!special.disclosed || !special.items) return { group: 'entries', indicator: column, title, special: true, withheld: specialWithheld(special.min_participants), rows: [] };
  return { ...table('entries', column, title, special.items[column] ?? {}, {}, `<${special.suppressed_below}`), special: true };
}

function headcount(group: EsfGroup, h: Headcount): EsfTable {
  return table(group, 'participants', 'Deelnemers', { all: h.participants, complete: h.complete, incomplete: h.incomplete });
}

/** The indicators as tables (code, Dutch label, count), in the order of the report page and the CSV. */
export function esfTables(r: EsfReport): EsfTable[] {
  const e = r.entries;
  const item = (column: string) => ITEM_LABELS[column] ?? reportLabel(column);
  const labourTotals: Record<string, string> = { inactive: ESF_REPORT_LABELS.inactive!, long_term_unemployed: ESF_REPORT_LABELS.long_term_unemployed!, self_employed: ESF_REPORT_LABELS.self_employed! };
  return [
    headcount('entries', e),
    table('entries', 'incomplete_reason', 'Onvolledig: zonder registratie', { without_record: e.incomplete_detail.without_record }),
    table('entries', 'incomplete_refused', 'Onvolledig: wil niet antwoorden op', e.incomplete_detail.refused, ITEM_LABELS),
    table('entries', 'incomplete_missing', 'Onvolledig: ontbreekt', e.incomplete_detail.missing, { ...ITEM_LABELS, age_band: ESF_REPORT_LABELS.age_band! }),
    table('entries', 'labour_status', item('labour_status'), e.labour_status),
    table('entries', 'labour_status_totals', `${item('labour_status')}: totalen voor het fonds`, e.labour_status_totals, labourTotals),
    table('entries', 'education', item('education'), e.education),
    table('entries', 'gender', item('gender'), e.gender),
    table('entries', 'age_band', ESF_REPORT_LABELS.age_band!, e.age_band),
    table('entries', 'homeless', item('homeless'), e.homeless),
    table('entries', 'rural', item('rural'), e.rural),
    ...ESF_SPECIAL_COLUMNS.map((column) => specialTable(e.special, column, item(column))),
    headcount('leavers', r.leavers),
    table('leavers', 'outflow_type', 'Uitstroom per soort', r.leavers.outflow_type, OUTFLOW_LABELS),
    table('leavers', 'result_28_days', resultWindowTitle(r.leavers.result_window_days), r.leavers.result_28_days, ESF_SITUATION_LABELS),
    headcount('six_months', r.six_months),
    // "Zes maanden" names the fund's indicator; the day itself is the path's (outflows.follow_up_on).
    table('six_months', 'follow_up', 'Werkt zes maanden na het verlaten', r.six_months.follow_up, ESF_FOLLOW_UP_RECORDED_LABELS),
  ];
}

/** The CSV columns, documented in the README ("The report and its CSV"). */
export const ESF_CSV_COLUMNS = ['period_from', 'period_to', 'group', 'indicator', 'indicator_label', 'code', 'label', 'count'] as const;

/**
 * One row per indicator value; semicolons, CRLF and a byte-order mark, as reportCsv. A hidden
 * cell counts "<5"; a withheld special item is one row with code `withheld`, the reason as its
 * label and no count.
 */
export function esfCsv(r: EsfReport): string {
  const rows = esfTables(r).flatMap((t) =>
    t.withheld !== undefined
      ? [[r.from, r.to, t.group, t.indicator, t.title, 'withheld', t.withheld, '']]
      : t.rows.map((row) => [r.from, r.to, t.group, t.indicator, t.title, row.code, row.label, row.count]),
  );
  return `\uFEFF${[[...ESF_CSV_COLUMNS], ...rows].map((cells) => cells.map(csvCell).join(';')).join('\r\n')}\r\n`;
}
