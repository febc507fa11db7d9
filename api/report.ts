import {
  CONTACT_LABELS,
  CRISIS_LABELS,
  GROUP_MOMENT_LABELS,
  OUTFLOW_LABELS,
  PHASE_LABELS,
  REFERRAL_SOURCE_LABELS,
} from '../domain/codes.js';
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
