/**
 * The one stylesheet, served at /static/app.css (the Content-Security-Policy allows styles from
 * our own origin only, and no scripts at all). Phone first: one column at 390 px, large touch
 * targets, a visible focus ring for keyboard use.
 */
export const STYLESHEET = `
:root {
  --ink: #1d2327; --muted: #55606a; --line: #d5dbe0; --paper: #ffffff; --ground: #f4f1ea;
  --brand: #1f6f5c; --brand-dark: #154f41; --brand-soft: #e3f1ec;
  --warn: #8a4b00; --warn-soft: #fff3dd; --bad: #a4262c; --bad-soft: #fde8e8; --ok-soft: #e3f1ec;
  --focus: #ffbf47; --radius: 10px;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--ground); }
a { color: var(--brand-dark); text-underline-offset: 2px; }
a:hover { color: var(--ink); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem 1rem; z-index: 2; }
.skip:focus { left: .5rem; }

.top { background: var(--brand); color: #fff; padding: .6rem 1rem .4rem; }
.top-row { display: flex; align-items: center; justify-content: space-between; gap: .75rem; flex-wrap: wrap; max-width: 60rem; margin: 0 auto; }
.brand { color: #fff; font-weight: 700; font-size: 1.2rem; text-decoration: none; letter-spacing: .01em; }
.brand span { font-weight: 400; opacity: .85; font-size: .95rem; }
.who { display: flex; align-items: center; gap: .5rem; font-size: .9rem; }
.who form { margin: 0; }
.who button { background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.6); border-radius: 999px; padding: .25rem .8rem; min-height: 36px; font: inherit; cursor: pointer; }
nav.main { max-width: 60rem; margin: .4rem auto 0; display: flex; flex-wrap: wrap; gap: .15rem .1rem; }
nav.main a { color: #fff; text-decoration: none; padding: .45rem .7rem; border-radius: 999px; white-space: nowrap; min-height: 40px; display: inline-flex; align-items: center; }
nav.main a[aria-current="page"] { background: var(--brand-dark); font-weight: 600; text-decoration: underline; text-decoration-thickness: 2px; }

main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 .6rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
p { margin: .4rem 0 .8rem; }
.lead { color: var(--muted); margin-top: -.5rem; }
.muted { color: var(--muted); }
footer { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: .85rem; }

.card { background: var(--paper); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; margin: 0 0 1rem; }
.card > :first-child { margin-top: 0; }
.facts { display: grid; grid-template-columns: minmax(0, 8.5rem) minmax(0, 1fr); gap: .35rem 1rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 500; overflow-wrap: break-word; }
.email > span { white-space: nowrap; }

.badge { display: inline-block; border-radius: 999px; padding: .1rem .65rem; font-size: .85rem; font-weight: 600; background: var(--brand-soft); color: var(--brand-dark); border: 1px solid #b9ddd1; }
.badge.phase-focus { background: #e6eefb; color: #1c4587; border-color: #c3d5f3; }
.badge.phase-activation { background: #f3e8fb; color: #5b2485; border-color: #dcc5ef; }
.badge.late { background: var(--bad-soft); color: var(--bad); border-color: #f3c2c2; }
.badge.today { background: var(--warn-soft); color: var(--warn); border-color: #f0d6a8; }

.list { list-style: none; padding: 0; margin: 0; }
.list > li { background: var(--paper); border: 1px solid var(--line); border-radius: var(--radius); padding: .8rem 1rem; margin-bottom: .6rem; }
.list .title { font-weight: 600; font-size: 1.05rem; }
.list .meta { color: var(--muted); font-size: .92rem; margin: .2rem 0 0; }
.row { display: flex; gap: .5rem; align-items: center; justify-content: space-between; flex-wrap: wrap; }

.timeline { list-style: none; margin: 0; padding: 0 0 0 1.1rem; border-left: 3px solid var(--line); }
.timeline li { position: relative; margin: 0 0 1rem; padding-left: .4rem; }
.timeline li::before { content: ""; position: absolute; left: -1.62rem; top: .45rem; width: .8rem; height: .8rem; border-radius: 50%; background: var(--paper); border: 3px solid var(--brand); }
.timeline li.kind-crisis::before { border-color: var(--bad); }
.timeline li.kind-phase::before { background: var(--brand); }
.timeline .when { display: block; color: var(--muted); font-size: .85rem; }
.timeline .what { font-weight: 600; }
.timeline .note { margin: .25rem 0 0; padding: .4rem .6rem; background: var(--ground); border-radius: 6px; white-space: pre-wrap; }

form { margin: 0; }
.field { margin: 0 0 1rem; }
.field > label, fieldset > legend { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { display: block; color: var(--muted); font-size: .9rem; margin: -.1rem 0 .3rem; font-weight: 400; }
input[type="text"], input[type="email"], input[type="tel"], input[type="date"], select, textarea {
  width: 100%; font: inherit; color: inherit; background: #fff; border: 2px solid #8a959e; border-radius: 8px; padding: .55rem .65rem; min-height: 48px;
}
textarea { min-height: 6rem; resize: vertical; }
[aria-invalid="true"] { border-color: var(--bad) !important; }
fieldset { border: 0; padding: 0; margin: 0 0 1rem; min-width: 0; }
.choice { display: flex; align-items: flex-start; gap: .6rem; padding: .35rem 0; min-height: 44px; }
.choice input { width: 1.35rem; height: 1.35rem; margin: .15rem 0 0; flex: none; accent-color: var(--brand); }
.choice label { font-weight: 400; }
.field-error { color: var(--bad); font-weight: 600; margin: .2rem 0 .3rem; }
.field-error::before { content: "⚠ "; }

button, .button { display: inline-flex; align-items: center; justify-content: center; gap: .4rem; font: inherit; font-weight: 600; min-height: 48px; padding: .55rem 1.2rem; border-radius: 8px; border: 2px solid var(--brand); background: var(--brand); color: #fff; cursor: pointer; text-decoration: none; }
button:hover, .button:hover { background: var(--brand-dark); border-color: var(--brand-dark); color: #fff; }
button.secondary, .button.secondary { background: #fff; color: var(--brand-dark); }
button.secondary:hover, .button.secondary:hover { background: var(--brand-soft); color: var(--brand-dark); }
button.danger { background: var(--bad); border-color: var(--bad); }
button.small { min-height: 40px; padding: .3rem .9rem; font-size: .95rem; }
.actions-row { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; }

.notice { border-radius: var(--radius); padding: .8rem 1rem; margin: 0 0 1rem; border: 2px solid; }
.notice.ok { background: var(--ok-soft); border-color: #9fcfbf; }
.notice.error { background: var(--bad-soft); border-color: var(--bad); }
.notice.warn { background: var(--warn-soft); border-color: #e7bd73; }
.notice h2, .notice h3 { margin: 0 0 .3rem; font-size: 1.05rem; }
.notice ul { margin: .3rem 0 0; padding-left: 1.2rem; }

details.action { background: var(--paper); border: 1px solid var(--line); border-radius: var(--radius); margin: 0 0 .6rem; }
details.action > summary { cursor: pointer; padding: .85rem 1rem; font-weight: 600; min-height: 48px; list-style-position: inside; }
details.action[open] > summary { border-bottom: 1px solid var(--line); }
details.action > .body { padding: 1rem; }
.group-title { font-size: 1rem; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; margin: 1.25rem 0 .5rem; }

.filters { display: grid; gap: .75rem; grid-template-columns: 1fr; align-items: end; }
.filters .field { margin: 0; }
.paging { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; margin: 1rem 0; }
@media (min-width: 40rem) {
  .filters { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  .two { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
}
table { width: 100%; border-collapse: collapse; background: var(--paper); font-size: .95rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: var(--radius); margin-bottom: 1rem; }
.people { display: grid; gap: .5rem; }
.link-text { overflow-wrap: anywhere; word-break: break-all; }
.qr { max-width: 16rem; background: #fff; padding: .25rem; }
.qr svg { display: block; width: 100%; height: auto; }
.guest-row { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .75rem; padding: .35rem 0; border-bottom: 1px solid #e2e2e2; }
.guest-row label { flex: 1 1 9rem; }
.guest-row input[type="text"] { flex: 0 0 5rem; width: 5rem; }
.guest-row .field-error { flex-basis: 100%; margin: 0; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

/* Charts (api/web/charts): SVG drawn on the server, as wide as the column, never wider; the
   text scales with it. Colours reach at least 3:1 against white (graphics) and 4.5:1 (text);
   every bar carries its number and every line its own pattern and marker. */
.charts { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
.chart { background: var(--paper); border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem; }
.chart > h3 { margin-top: 0; }
.chart-svg { display: block; width: 100%; max-width: 36rem; height: auto; margin: 0 0 .75rem; overflow: visible; }
.chart-label, .chart-value, .chart-tick, .chart-empty { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; fill: var(--ink); }
.chart-value { font-weight: 700; }
.chart-tick { fill: var(--muted); font-size: 12px; }
.chart-bar { fill: var(--brand); }
.chart-grid { stroke: var(--line); stroke-width: 1; }
.chart-series polyline, .chart-series line { stroke-width: 2.5; fill: none; }
.chart-series-0 { stroke: #1f6f5c; fill: #1f6f5c; }
.chart-series-1 { stroke: #1c4587; fill: #1c4587; }
.chart-series-2 { stroke: #5b2485; fill: #5b2485; }
.chart-series-3 { stroke: #8a4b00; fill: #8a4b00; }
.chart-series text { stroke: none; fill: var(--ink); }
.chart .table-wrap { margin-bottom: 0; }
.chart table { font-size: .8rem; }
.chart th, .chart td { padding: .35rem .2rem; }
caption { text-align: left; font-weight: 600; padding: .45rem .6rem; }
.esf-headcount { font-size: 1.05rem; }
.print-only { display: none; }
@media (min-width: 60rem) { .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); } }

/* Printed, the report is the funder's annex: no navigation, no forms or buttons, the site and
   the period on top, each chart kept together with its table. */
@media print {
  @page { margin: 15mm; }
  body { background: #fff; font-size: 11pt; }
  .skip, header.top, nav, footer, form, .no-print, .filters, button, .button { display: none !important; }
  main { max-width: none; padding: 0; }
  .print-only { display: block; }
  .lead { margin-top: 0; }
  .charts { display: block; }
  .chart, .esf-table, .table-wrap, table, figure, .esf-headcount { break-inside: avoid; page-break-inside: avoid; }
  .chart { border: 0; padding: 0; margin: 0 0 8mm; }
  .chart-svg { max-width: 120mm; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .table-wrap { overflow: visible; border: 0; }
  th, td { padding: .2rem .4rem; }
  a { color: inherit; text-decoration: none; }
}
`;
