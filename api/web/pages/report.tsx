import { FormProblems, Notice, TextField } from '../components.js';
import type { FormState } from '../form-input.js';
import { formatDate } from '../labels.js';
import { ESF_GROUP_LABELS, esfTables, type EsfGroup, type EsfReport, type EsfTable, type FunderReport, type PhasePoint, type ReportRow } from '../../report.js';
import { ReportCharts } from '../charts/report-charts.js';

export const REPORT_LABELS: Record<string, string> = { from: 'Van', to: 'Tot en met' };

export function ReportPage({
  siteName,
  state,
  rows,
  period,
  unavailable,
  report,
  series,
  esf,
}: {
  siteName: string;
  state: FormState;
  rows?: ReportRow[] | undefined;
  period?: { from: string; to: string } | undefined;
  unavailable?: string | undefined;
  /** The figures the charts draw (with `series` and `esf`). */
  report?: FunderReport | undefined;
  series?: readonly PhasePoint[] | undefined;
  esf?: EsfReport | undefined;
}) {
  const sections = rows ? [...new Set(rows.map((r) => r.section))] : [];
  const skip = new Set(['Stuyfplek', 'Van', 'Tot en met']);
  return (
    <>
      <h1>Rapport</h1>
      <p class="lead">Anonieme cijfers van {siteName} voor de financier (ESF) en de partners.</p>
      <FormProblems state={state} prefix="rapport" labels={REPORT_LABELS} />
      <form method="get" action="/rapport" class="card filters" novalidate>
        <TextField prefix="rapport" name="from" label="Van" type="date" state={state} required />
        <TextField prefix="rapport" name="to" label="Tot en met" type="date" state={state} required />
        <div>
          <button type="submit">Toon rapport</button>
        </div>
      </form>
      {unavailable ? (
        <Notice kind="warn">
          <p>{unavailable}</p>
        </Notice>
      ) : null}
      {rows && period ? (
        <>
          <p class="print-only">Bijlage bij het rapport aan de financier (ESF+)</p>
          <h2 class="report-heading">
            {siteName}: {formatDate(period.from)} – {formatDate(period.to)}
          </h2>
          <p class="actions-row no-print">
            <a class="button secondary" href={`/api/reports/funder?from=${period.from}&to=${period.to}&format=csv`} download>
              Download als CSV
            </a>
            <a class="button secondary" href={`/api/reports/esf?from=${period.from}&to=${period.to}&format=csv`} download>
              Download ESF+-indicatoren als CSV
            </a>
          </p>
          {report && series && esf ? (
            <>
              <h2>In grafieken</h2>
              <ReportCharts report={report} series={series} esf={esf} />
              <EsfIndicators esf={esf} />
              <h2>Alle cijfers</h2>
            </>
          ) : null}
          {sections
            .filter((s) => !skip.has(s))
            .map((section) => {
              const sectionRows = rows.filter((r) => r.section === section);
              return (
                <section>
                  <h3>{section}</h3>
                  <div class="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Wat</th>
                          <th scope="col" class="num">
                            Waarde
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {sectionRows.map((r) => (
                          <tr>
                            <th scope="row">{r.item || section}</th>
                            <td class="num">{r.value === '' ? '—' : /^\d{4}-\d{2}-\d{2}$/.test(r.value) ? formatDate(r.value) : r.value}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              );
            })}
        </>
      ) : null}
    </>
  );
}

/**
 * The ESF+ indicators as tables: per group the headcount (complete records, the incomplete ones
 * beside), then each indicator counted from the complete records only.
 */
function EsfIndicators({ esf }: { esf: EsfReport }) {
  const tables = esfTables(esf);
  const groups = Object.keys(ESF_GROUP_LABELS) as EsfGroup[];
  return (
    <section class="esf" aria-labelledby="esf-kop">
      <h2 id="esf-kop">ESF+-indicatoren</h2>
      <p class="muted">
        Geteld uit volledige registraties; de onvolledige staan ernaast en tellen niet mee in de tabellen. "Wil niet antwoorden" telt als
        weigering, nooit als antwoord.
      </p>
      {groups.map((group) => {
        const headcount = esf[group];
        return (
          <section class="esf-group" aria-labelledby={`esf-${group}`}>
            <h3 id={`esf-${group}`}>{ESF_GROUP_LABELS[group]}</h3>
            <p class="esf-headcount">
              <strong>{headcount.complete}</strong> volledig geregistreerd · <strong>{headcount.incomplete}</strong> onvolledig (apart geteld) · {headcount.participants} in
              totaal
            </p>
            {tables
              .filter((t) => t.group === group && t.indicator !== 'participants' && !t.special)
              .map((t) => (
                <EsfTableView table={t} />
              ))}
            {group === 'entries' ? <SpecialBlock esf={esf} tables={tables.filter((t) => t.special)} /> : null}
          </section>
        );
      })}
    </section>
  );
}

function EsfTableView({ table }: { table: EsfTable }) {
  return (
    <div class="table-wrap esf-table">
      <table>
        <caption>{table.title}</caption>
        <thead>
          <tr>
            <th scope="col">Antwoord</th>
            <th scope="col" class="num">
              Aantal
            </th>
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td class="num">{r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The special-category answers under disclosure control: the whole block withheld when the period
 * has too few complete entries, small cells as "<5" (README, "The report and its CSV").
 */
function SpecialBlock({ esf, tables }: { esf: EsfReport; tables: EsfTable[] }) {
  const { disclosed, suppressed_below } = esf.entries.special;
  const withheld = tables.find((t) => t.withheld !== undefined)?.withheld;
  return (
    <section class="esf-special" aria-labelledby="esf-bijzonder">
      <h4 id="esf-bijzonder">Bijzondere categorieën (alleen aantallen)</h4>
      {!disclosed && withheld ? (
        <p class="esf-withheld">{withheld}</p>
      ) : (
        <>
          <p class="muted">Een aantal van 1 tot {suppressed_below - 1} staat er als "&lt;{suppressed_below}", zodat niemand uit de aantallen te herkennen is.</p>
          {tables.map((t) => (
            <EsfTableView table={t} />
          ))}
        </>
      )}
    </section>
  );
}
