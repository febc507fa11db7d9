import type { Child } from 'hono/jsx';

/**
 * The SVG of a chart: an image named by its title (aria-labelledby) with a short summary as its
 * description (aria-describedby), or the "nothing to show" line when there is no data. The
 * numbers themselves are in the table each chart puts below it.
 */
export function ChartSvg({ id, title, description, width, height, empty, children }: { id: string; title: string; description: string; width: number; height: number; empty: string | null; children?: Child }) {
  return (
    <svg class="chart-svg" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-titel`} aria-describedby={`${id}-uitleg`} preserveAspectRatio="xMinYMin meet">
      <title id={`${id}-titel`}>{title}</title>
      <desc id={`${id}-uitleg`}>{description}</desc>
      {empty !== null ? (
        <text x="0" y="28" class="chart-empty">
          {empty}
        </text>
      ) : (
        children
      )}
    </svg>
  );
}
