import { Hono } from 'hono';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';
import { funderReport, reportCsv } from '../report.js';
import { reportQuerySchema } from '../requests.js';

/** The funder report for a site and a period, as JSON or CSV. Coordinators and staff, their own site. */
export const reportsApi = new Hono<AppEnv>();

reportsApi.get('/reports/funder', requireRole('coordinator'), async (c) => {
  const parsed = reportQuerySchema.safeParse(c.req.query());
  if (!parsed.success) throw invalidInput(parsed.error);
  const user = c.var.user!;
  const { from, to, format } = parsed.data;
  const site = parsed.data.site ?? user.siteId;
  if (site !== user.siteId) throw new ApiError('forbidden', 'Je ziet alleen de cijfers van je eigen Stuyfplek.');
  const report = await funderReport(c.var.deps, site, from, to);
  if (format === 'csv') {
    return c.body(reportCsv(report), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="groeipad-rapport-${from}-${to}.csv"`,
    });
  }
  return c.json({ site, from, to, report });
});
