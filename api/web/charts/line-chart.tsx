import { formatDate } from '../labels.js';
import { CHART_WIDTH, readable } from './bar-chart.js';
import { ChartSvg } from './chart-svg.js';

/**
 * A line chart of a few series over dates, drawn on the server as SVG with its table below. Each
 * series has its own colour, line pattern and marker shape, named in the legend, so the lines
 * are told apart without colour; the table holds every number.
 */

export interface Series {
  key: string;
  label: string;
  values: readonly number[];
}

const LEFT = 34;
const RIGHT = 12;
const TOP = 10;
const PLOT = 150;
const AXIS = 26;
const LEGEND_ROW = 22;
/** Line patterns, one per series (solid, dashed, dotted, dash-dot). */
const DASHES = ['', '7 4', '2 3', '9 3 2 3'];

function marker(shape: number, x: number, y: number) {
  switch (shape % 4) {
    case 0:
      return <circle cx={x} cy={y} r="4" />;
    case 1:
      return <rect x={x - 4} y={y - 4} width="8" height="8" />;
    case 2:
      return <path d={`M${x} ${y - 5} L${x + 5} ${y + 4} L${x - 5} ${y + 4} Z`} />;
    default:
      return <path d={`M${x} ${y - 5} L${x + 5} ${y} L${x} ${y + 5} L${x - 5} ${y} Z`} />;
  }
}

/** Up to five whole-number ticks from 0 to at least the maximum. */
function ticks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 4));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const out: number[] = [];
  for (let v = 0; v <= top; v += step) out.push(v);
  return out;
}

const axisDate = new Intl.DateTimeFormat('nl-BE', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const tableDate = new Intl.DateTimeFormat('nl-BE', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "31 jan.", short: the axis of a phone-wide chart holds a few of them (the table has the full date). */
function shortDate(date: string): string {
  return axisDate.format(Date.parse(`${date}T12:00:00Z`));
}

export function LineChart({ id, title, dates, series, empty, dateHeader }: { id: string; title: string; dates: readonly string[]; series: readonly Series[]; empty: string; dateHeader: string }) {
  const legendRows = Math.ceil(series.length / 2);
  const height = TOP + PLOT + AXIS + legendRows * LEGEND_ROW + 4;
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const scale = ticks(max);
  const top = scale[scale.length - 1]!;
  const innerWidth = CHART_WIDTH - LEFT - RIGHT;
  const x = (i: number) => LEFT + (dates.length <= 1 ? innerWidth / 2 : (i / (dates.length - 1)) * innerWidth);
  const y = (v: number) => TOP + PLOT - (v / top) * PLOT;
  // Label at most about five dates on the axis (always the first and the last).
  const every = Math.max(1, Math.ceil(dates.length / 5));
  const labelled = dates.map((_, i) => i === dates.length - 1 || (i % every === 0 && dates.length - 1 - i >= every / 2));
  // A short summary; the numbers are in the table below (read once, not again in the image).
  const description = dates.length
    ? `Lijndiagram van ${series.map((s) => s.label).join(', ')} op ${dates.length} ${dates.length === 1 ? 'dag' : 'dagen'}, van ${formatDate(dates[0]!)} tot ${formatDate(dates.at(-1)!)}. Alle cijfers staan in de tabel eronder.`
    : empty;
  return (
    <section class="chart" id={id} aria-labelledby={`${id}-kop`}>
      <h3 id={`${id}-kop`}>{title}</h3>
      <ChartSvg id={id} title={title} description={description} width={CHART_WIDTH} height={height} empty={dates.length === 0 ? empty : null}>
        <>
          {scale.map((v) => (
            <g>
              <line x1={LEFT} x2={CHART_WIDTH - RIGHT} y1={y(v)} y2={y(v)} class="chart-grid" />
              <text x={LEFT - 6} y={y(v) + 4} class="chart-tick" text-anchor="end">
                {v}
              </text>
            </g>
          ))}
          {dates.map((d, i) =>
            labelled[i] ? (
              <text x={x(i)} y={TOP + PLOT + 18} class="chart-tick" text-anchor={i === 0 && dates.length > 1 ? 'start' : i === dates.length - 1 && dates.length > 1 ? 'end' : 'middle'}>
                {shortDate(d)}
              </text>
            ) : null,
          )}
          {series.map((s, n) => (
            <g class={`chart-series chart-series-${n}`}>
              {dates.length > 1 ? (
                <polyline points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} fill="none" stroke-dasharray={DASHES[n % DASHES.length] || undefined} />
              ) : null}
              {s.values.map((v, i) => marker(n, x(i), y(v)))}
            </g>
          ))}
          {series.map((s, n) => {
            const lx = (n % 2) * (CHART_WIDTH / 2);
            const ly = TOP + PLOT + AXIS + Math.floor(n / 2) * LEGEND_ROW + 12;
            return (
              <g class={`chart-series chart-series-${n}`}>
                <line x1={lx} x2={lx + 28} y1={ly} y2={ly} stroke-dasharray={DASHES[n % DASHES.length] || undefined} />
                {marker(n, lx + 14, ly)}
                <text x={lx + 36} y={ly + 5} class="chart-label">
                  {s.label}
                </text>
              </g>
            );
          })}
        </>
      </ChartSvg>
      {/* A wide table scrolls in its own frame; a keyboard reaches it (tabindex) to scroll it. */}
      <div class="table-wrap" role="region" aria-label={`${title}: de cijfers`} tabindex={0}>
        <table>
          <caption>{title}: de cijfers</caption>
          <thead>
            <tr>
              <th scope="col">{dateHeader}</th>
              {series.map((s) => (
                <th scope="col" class="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {dates.length === 0 ? (
              <tr>
                <td colspan={1 + series.length}>{empty}</td>
              </tr>
            ) : (
              dates.map((d, i) => (
                <tr>
                  {/* Short months, so that five columns fit a phone; the description reads the full date. */}
                  <th scope="row">{tableDate.format(Date.parse(`${d}T12:00:00Z`))}</th>
                  {series.map((s) => (
                    <td class="num">{readable(s.values[i] ?? 0)}</td>
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
