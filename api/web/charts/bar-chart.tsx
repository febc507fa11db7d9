import { ChartSvg } from './chart-svg.js';
/**
 * A horizontal bar chart drawn on the server as SVG (the pages run no script), with its numbers
 * as a table right below it. The SVG is an image named by its title (aria-labelledby) with a short
 * summary as its description (aria-describedby); the numbers themselves are in the table, for
 * everyone, screen readers included, and for print, so a screen reader does not hear them twice
 * nor a whole data set as the image's name.
 *
 * Phone first: the viewBox is as wide as a 390 px screen's content, so the text is drawn at
 * about its nominal size there and scales with the page elsewhere; each label sits above its bar
 * (long Dutch labels need the full width) and each bar carries its number, so nothing depends on
 * colour alone.
 */

export const CHART_WIDTH = 360;
const ROW = 44;
const BAR = 16;
/** Room right of the longest bar for its number: about 8 px a character at 13 px bold. */
const valueRoom = (rows: readonly BarRow[]) => 12 + 8 * Math.max(1, ...rows.map((r) => (r.display ?? readable(r.value)).length));

export interface BarRow {
  label: string;
  value: number;
  /** How the value reads (a unit, a decimal comma); defaults to the number. */
  display?: string;
}

/** A number as a Belgian reads it: a decimal comma. */
export function readable(value: number): string {
  return String(value).replace('.', ',');
}

/** The description of a bar chart: how many bars and the largest, pointing to the table for the rest. */
export function describe(rows: readonly BarRow[]): string {
  const top = rows.reduce((a, b) => (b.value > a.value ? b : a), rows[0]!);
  return `Staafdiagram met ${rows.length} ${rows.length === 1 ? 'staaf' : 'staven'}, de grootste: ${top.label} (${top.display ?? readable(top.value)}). Alle cijfers staan in de tabel eronder.`;
}

export function BarChart({
  id,
  title,
  rows,
  empty,
  valueHeader,
  extraColumns,
  note,
}: {
  id: string;
  title: string;
  /** A sentence under the title: what exactly is counted. */
  note?: string;
  rows: readonly BarRow[];
  /** What to say when there is nothing to draw. */
  empty: string;
  /** The heading of the value column of the table. */
  valueHeader: string;
  /** More columns for the table (the chart draws only `value`). */
  extraColumns?: { header: string; cells: readonly string[] }[];
}) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  const height = Math.max(1, rows.length) * ROW + 4;
  const span = CHART_WIDTH - valueRoom(rows);
  const description = rows.length ? describe(rows) : empty;
  return (
    <section class="chart" id={id} aria-labelledby={`${id}-kop`}>
      <h3 id={`${id}-kop`}>{title}</h3>
      {note ? <p class="muted chart-note">{note}</p> : null}
      <ChartSvg id={id} title={title} description={description} width={CHART_WIDTH} height={height} empty={rows.length === 0 ? empty : null}>
        {rows.map((row, i) => {
          const y = i * ROW + 4;
          const width = max > 0 ? (row.value / max) * span : 0;
          return (
            <g>
              <text x="0" y={y + 13} class="chart-label">
                {row.label}
              </text>
              {/* A zero still shows as a thin mark, so the row does not look forgotten. */}
              <rect x="0" y={y + 18} width={Math.max(width, 2)} height={BAR} rx="2" class="chart-bar" />
              <text x={Math.max(width, 2) + 6} y={y + 31} class="chart-value">
                {row.display ?? readable(row.value)}
              </text>
            </g>
          );
        })}
      </ChartSvg>
      {/* A wide table scrolls in its own frame; a keyboard reaches it (tabindex) to scroll it. */}
      <div class="table-wrap" role="region" aria-label={`${title}: de cijfers`} tabindex={0}>
        <table>
          <caption>{title}: de cijfers</caption>
          <thead>
            <tr>
              <th scope="col">Wat</th>
              <th scope="col" class="num">
                {valueHeader}
              </th>
              {(extraColumns ?? []).map((c) => (
                <th scope="col" class="num">
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colspan={2 + (extraColumns?.length ?? 0)}>{empty}</td>
              </tr>
            ) : (
              rows.map((row, i) => (
                <tr>
                  <th scope="row">{row.label}</th>
                  <td class="num">{row.display ?? readable(row.value)}</td>
                  {(extraColumns ?? []).map((c) => (
                    <td class="num">{c.cells[i]}</td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
