import { Hono, type Context } from 'hono';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';
import { esfCsv, esfReport, funderReport, phaseSeries, reportCsv } from '../report.js';
import { reportQuerySchema } from '../requests.js';

/** The funder report and the ESF+ indicators for a site and a period, as JSON or CSV. Coordinators, their own site. */
export const reportsApi = new Hono<AppEnv>();

function reportQuery(c: Context<AppEnv>) {
  const parsed = reportQuerySchema.safeParse(c.req.query());
  if (!parsed.success) throw invalidInput(parsed.error);
  const user = c.var.user!;
  const site = parsed.data.site ?? user.siteId;
  if (site !== user.siteId) throw new ApiError('forbidden', 'Je ziet alleen de cijfers van je eigen Stuyfplek.');
  return { ...parsed.data, site };
}

/** A CSV file to download (a spreadsheet opens it with its name). */
function csvDownload(c: Context<AppEnv>, csv: string, filename: string): Response {
  return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"` });
}

reportsApi.get('/reports/funder', requireRole('coordinator'), async (c) => {
  const { site, from, to, format } = reportQuery(c);
  const report = await funderReport(c.var.deps, site, from, to);
  if (format === 'csv') return csvDownload(c, reportCsv(report), `groeipad-rapport-${from}-${to}.csv`);
  // The series the report page draws (participants per phase at each month end) beside the figures.
  const participantsPerPhase = await phaseSeries(c.var.deps, site, from, to);
  return c.json({ site, from, to, report, participantsPerPhase });
});

reportsApi.get('/reports/esf', requireRole('coordinator'), async (c) => {
  const { site, from, to, format } = reportQuery(c);
  const esf = await esfReport(c.var.deps, site, from, to);
  if (format === 'csv') return csvDownload(c, esfCsv(esf), `groeipad-esf-${from}-${to}.csv`);
  return c.json({ site, from, to, esf });
});
