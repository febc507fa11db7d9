import { FormProblems, Notice, TextField } from '../components.js';
import type { FormState } from '../form-input.js';
import { formatDate } from '../labels.js';
import type { ReportRow } from '../../report.js';

export const REPORT_LABELS: Record<string, string> = { from: 'Van', to: 'Tot en met' };

export function ReportPage({
  siteName,
  state,
  rows,
  period,
  unavailable,
}: {
  siteName: string;
  state: FormState;
  rows?: ReportRow[] | undefined;
  period?: { from: string; to: string } | undefined;
  unavailable?: string | undefined;
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
          <h2>
            {formatDate(period.from)} – {formatDate(period.to)}
          </h2>
          <p>
            <a class="button secondary" href={`/api/reports/funder?from=${period.from}&to=${period.to}&format=csv`} download>
              Download als CSV
            </a>
          </p>
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
