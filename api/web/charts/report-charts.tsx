import { OUTFLOW_LABELS, PHASE_LABELS, PHASES, REFERRAL_SOURCE_LABELS, type OutflowType, type ReferralSource } from '../../../domain/codes.js';
import type { EsfReport, EsfTable, FunderReport, PhasePoint } from '../../report.js';
import { esfTables } from '../../report.js';
import { BarChart, readable, type BarRow } from './bar-chart.js';
import { LineChart } from './line-chart.js';

/**
 * The report's six charts (issue 16, "Pictures"): intakes by referral source, participants per
 * phase over the period, time in each phase, outflow by type, the results at 28 days and at six
 * months. The figures are the report's own (public.funder_report, participants_per_phase_series,
 * public.esf_report): a chart draws exactly the numbers of the table below it.
 */

const AFTERCARE_LABEL = 'Nazorg';

function counts(value: unknown): Record<string, number> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/** The codes that occurred, most first (ties in the order of the codes). */
function byCount(map: Record<string, number>, labels: Record<string, string>): BarRow[] {
  const order = Object.keys(labels);
  return Object.entries(map)
    .filter(([, n]) => n > 0)
    .sort(([a, n], [b, m]) => m - n || order.indexOf(a) - order.indexOf(b))
    .map(([code, n]) => ({ label: labels[code] ?? code, value: n }));
}

/** A table's rows as bars; a hidden cell ("<5") draws as a zero-length bar that says so. */
function rowsOf(table: EsfTable | undefined): BarRow[] {
  return (table?.rows ?? []).map((r) => (/^\d+$/.test(r.count) ? { label: r.label, value: Number(r.count) } : { label: r.label, value: 0, display: r.count }));
}

export function ReportCharts({ report, series, esf }: { report: FunderReport; series: readonly PhasePoint[]; esf: EsfReport }) {
  const intakes = byCount(counts(report.intakes_by_referral_source), REFERRAL_SOURCE_LABELS as Record<ReferralSource, string>);
  const outflow = byCount(counts(report.outflow_by_type), OUTFLOW_LABELS as Record<OutflowType, string>);
  const timeInPhase = (report.time_in_phase ?? {}) as Record<string, Record<string, number | null>>;
  const phaseRows = PHASES.map((phase) => {
    const t = timeInPhase[phase] ?? {};
    const average = typeof t.average_days === 'number' ? t.average_days : null;
    return { label: PHASE_LABELS[phase], value: average ?? 0, display: average === null ? 'geen' : `${readable(average)} dagen`, t };
  });
  const tables = esfTables(esf);
  const find = (group: string, indicator: string) => tables.find((t) => t.group === group && t.indicator === indicator);
  const results = find('leavers', 'result_28_days');
  const followUp = find('six_months', 'follow_up');
  return (
    <div class="charts">
      <BarChart id="grafiek-inschrijvingen" title="Inschrijvingen per doorverwijzer" rows={intakes} empty="Geen inschrijvingen in deze periode." valueHeader="Inschrijvingen" />
      <LineChart
        id="grafiek-fasen"
        title="Deelnemers per fase doorheen de periode"
        dates={series.map((p) => p.date)}
        series={[
          ...PHASES.map((phase) => ({ key: phase, label: PHASE_LABELS[phase], values: series.map((p) => p[phase]) })),
          { key: 'aftercare', label: AFTERCARE_LABEL, values: series.map((p) => p.aftercare) },
        ]}
        empty="Deze periode is nog niet begonnen."
        dateHeader="Op het einde van"
      />
      <BarChart
        id="grafiek-tijd-in-fase"
        title="Gemiddelde tijd in elke fase"
        note="Over de periodes in een fase die in deze periode afliepen; de lopende staan bij 'Alle cijfers'."
        rows={phaseRows}
        empty="Geen gegevens."
        valueHeader="Gemiddeld"
        extraColumns={[{ header: 'Afgeronde periodes', cells: phaseRows.map((r) => readable(r.t.completed_stays ?? 0)) }]}
      />
      <BarChart id="grafiek-uitstroom" title="Uitstroom per soort" rows={outflow} empty="Geen uitstroom in deze periode." valueHeader="Deelnemers" />
      <BarChart
        id="grafiek-28-dagen"
        title={`${results?.title ?? 'Situatie na het verlaten'} (ESF+)`}
        rows={rowsOf(results)}
        empty="Niemand verliet het traject in deze periode."
        valueHeader="Deelnemers"
      />
      <BarChart id="grafiek-zes-maanden" title={`${followUp?.title ?? 'Werkt zes maanden na het verlaten'} (ESF+)`} rows={rowsOf(followUp)} empty="Geen gegevens." valueHeader="Deelnemers" />
    </div>
  );
}
