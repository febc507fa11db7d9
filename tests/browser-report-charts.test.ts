import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/net.js';
import { phoneBrowser } from './support/chromium.js';
import { SCREENSHOTS, snap } from './support/screens.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The report page's charts in a real Chromium at phone size (390×844) with JavaScript off, signed
 * in as the site's coordinator: six SVG charts, each an image named by its title, described by a short summary, with its numbers in a table; nothing
 * wider than the phone; and in print (emulated print media) the funder's annex: no navigation or
 * forms, the charts there, and a PDF.
 */

let stack: TestStack;
let server: ServerType;
let base: string;
let browser: Awaited<ReturnType<typeof phoneBrowser>>;
let site: string;

async function participant(o: { source: string; start: string; focusAt?: string; outflow?: { at: string; type: string }; result?: string[]; followUp?: string }) {
  const q = (text: string, values: unknown[]) => stack.sql.query(text, values);
  const id = randomUUID();
  await q("insert into public.participants (id, site_id, referral_source, first_name) values ($1, $2, $3, 'Grafiek')", [id, site, o.source]);
  await q("insert into public.paths (participant_id, path_run, site_id, phase, status, started_at, workflow_id) values ($1, 1, $2, $3, $4, $5, $6)", [
    id,
    site,
    o.focusAt ? 'focus' : 'orientation',
    o.outflow ? 'aftercare' : 'active',
    o.start,
    `path-${id}`,
  ]);
  await q('insert into public.referrals_in (key, participant_id, site_id, path_run, source, referred_at) values ($1, $2, $3, 1, $4, $5)', [randomUUID(), id, site, o.source, o.start]);
  await q("insert into public.phase_changes (key, participant_id, site_id, path_run, to_phase, changed_at) values ($1, $2, $3, 1, 'orientation', $4)", [randomUUID(), id, site, o.start]);
  if (o.focusAt) {
    await q("insert into public.phase_changes (key, participant_id, site_id, path_run, from_phase, to_phase, reason, changed_at) values ($1, $2, $3, 1, 'orientation', 'focus', 'ready_for_next_step', $4)", [
      randomUUID(),
      id,
      site,
      o.focusAt,
    ]);
  }
  await q(
    "insert into public.esf_entries (participant_id, site_id, version, entered_on, age_band, labour_status, education, gender, complete) values ($1, $2, 1, ($3::timestamptz at time zone 'Europe/Brussels')::date, 'age_30_54', 'unemployed', 'isced_3_4', 'female', true)",
    [id, site, o.start],
  );
  if (o.outflow) {
    await q('insert into public.outflows (key, participant_id, site_id, path_run, outflow_type, outflow_at) values ($1, $2, $3, 1, $4, $5)', [randomUUID(), id, site, o.outflow.type, o.outflow.at]);
    if (o.result) {
      await q(
        "insert into public.esf_results (key, participant_id, site_id, path_run, kind, observed_on, situations, source, recorded_at) values ($1, $2, $3, 1, 'leaving', ($4::timestamptz at time zone 'Europe/Brussels')::date, $5, 'coach', $4)",
        [randomUUID(), id, site, o.outflow.at, o.result],
      );
    }
  }
}

beforeAll(async () => {
  const [started, opened] = await Promise.all([startTestStack({}, { worker: 'none' }), phoneBrowser({ javaScriptEnabled: false })]);
  stack = started;
  browser = opened;
  site = await stack.site('Stuyfplek Grafieken');
  const coordinator = await stack.person('coordinator', site);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coordinator.id, 'Karim (coördinator)']);
  await participant({ source: 'ocmw', start: '2025-01-06T09:00:00Z', focusAt: '2025-02-10T09:00:00Z' });
  await participant({ source: 'ocmw', start: '2025-01-20T09:00:00Z', outflow: { at: '2025-03-03T09:00:00Z', type: 'regular_job' }, result: ['in_employment'] });
  await participant({ source: 'advising_physician', start: '2025-02-03T09:00:00Z', outflow: { at: '2025-03-17T09:00:00Z', type: 'referred_elsewhere' } });
  await participant({ source: 'self', start: '2025-03-10T09:00:00Z' });
  const port = await freePort();
  server = serve({ fetch: stack.app.fetch, port, hostname: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await stack?.stop();
});

describe('the report page of a coordinator at 390 px', () => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.context.newPage();
    await page.goto(`${base}/inloggen`);
    await page.getByLabel('Karim (coördinator)').check();
    await Promise.all([page.waitForURL(`${base}/rapport`), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    await page.goto(`${base}/rapport?from=2025-01-01&to=2025-03-31`);
  });
  afterAll(async () => {
    await page?.close();
  });

  it('draws six charts, each an SVG image with a name, a description and its numbers in a table', async () => {
    const charts = await page.locator('section.chart').evaluateAll((sections) =>
      sections.map((section) => {
        const svg = section.querySelector('svg')!;
        const text = (ids: string | null) =>
          (ids ?? '')
            .split(' ')
            .filter(Boolean)
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' | ');
        // The accessible name (aria-labelledby) and description (aria-describedby), as a screen reader gets them.
        const name = text(svg.getAttribute('aria-labelledby'));
        const description = text(svg.getAttribute('aria-describedby'));
        const table = section.querySelector('table');
        return {
          heading: section.querySelector('h3')?.textContent,
          role: svg.getAttribute('role'),
          title: svg.querySelector('title')?.textContent,
          name,
          description,
          descIsDescription: svg.getAttribute('aria-describedby') === svg.querySelector('desc')?.id,
          // What the bars say, and what the table says, row by row.
          bars: [...svg.querySelectorAll('.chart-label')].map((l, i) => `${l.textContent}=${svg.querySelectorAll('.chart-value')[i]?.textContent ?? ''}`),
          rows: [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => `${tr.querySelector('th')?.textContent}=${tr.querySelector('td')?.textContent}`),
          tableRows: [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? '')),
          tableHidden: table ? table.closest('[aria-hidden="true"]') !== null || getComputedStyle(table).display === 'none' : true,
        };
      }),
    );
    expect(charts.map((c) => c.heading)).toEqual([
      'Inschrijvingen per doorverwijzer',
      'Deelnemers per fase doorheen de periode',
      'Gemiddelde tijd in elke fase',
      'Uitstroom per soort',
      'Situatie binnen 28 dagen na het verlaten (ESF+)',
      'Werkt zes maanden na het verlaten (ESF+)',
    ]);
    for (const chart of charts) {
      expect(chart.role, chart.heading!).toBe('img');
      expect(chart.title).toBe(chart.heading);
      // Named by the title alone; the <desc> describes it, in short, pointing to the table (the numbers are read once, there).
      expect(chart.name, chart.heading!).toBe(chart.heading);
      expect(chart.descIsDescription, chart.heading!).toBe(true);
      expect(chart.description, chart.heading!).toMatch(/Alle cijfers staan in de tabel eronder\.$/);
      expect(chart.description.length, chart.heading!).toBeLessThan(200);
      expect(chart.tableHidden, chart.heading!).toBe(false);
      expect(chart.rows.length, chart.heading!).toBeGreaterThan(0);
    }
    const [intakes, phases, time, outflow, results28, sixMonths] = charts;
    // Bar charts: the same labels and numbers as their tables, in the same order.
    for (const chart of [intakes!, time!, outflow!, results28!, sixMonths!]) expect(chart.bars, chart.heading!).toEqual(chart.rows);
    // Intakes: OCMW 2 (6 and 20 Jan), advising physician 1, self 1.
    expect(intakes!.rows).toEqual(['OCMW=2', 'Adviserend geneesheer=1', 'Op eigen initiatief=1']);
    expect(outflow!.rows).toEqual(['Reguliere job=1', 'Doorverwezen naar een andere dienst=1']);
    expect(results28!.rows).toContain('Aan het werk (ook als zelfstandige)=1');
    expect(results28!.rows).toContain('Geen resultaat geregistreerd=1');
    // The line chart: a row per month end, every number of the table read out in its description.
    expect(phases!.tableRows.map((r) => r[0])).toEqual(['31 jan 2025', '28 feb 2025', '31 mrt 2025']);
    // Orientation, focus, activation, aftercare. 31 Jan: the first two in orientation. 28 Feb: the
    // first in focus (10 Feb), the second and third in orientation. 31 Mar: the first in focus, the
    // second and third left (aftercare), the fourth (10 Mar) in orientation.
    expect(phases!.tableRows.map((r) => r.slice(1).join(' '))).toEqual(['2 0 0 0', '2 1 0 0', '1 1 0 2']);
    expect(phases!.description).toBe('Lijndiagram van Oriëntatie, Focus, Activering, Nazorg op 3 dagen, van 31 januari 2025 tot 31 maart 2025. Alle cijfers staan in de tabel eronder.');
    // The intakes: three bars, the largest OCMW.
    expect(intakes!.description).toBe('Staafdiagram met 3 staven, de grootste: OCMW (2). Alle cijfers staan in de tabel eronder.');
    expect(await page.locator('section.chart svg polyline').count()).toBe(4);
  });

  it('shows the ESF+ indicators as tables, the incomplete ones beside', async () => {
    const text = (await page.locator('section.esf').textContent()) ?? '';
    expect(text).toContain('ESF+-indicatoren');
    expect(text).toContain('Situatie op de arbeidsmarkt');
    expect(await page.locator('section.esf .esf-headcount').first().textContent()).toContain('4 volledig geregistreerd');
    // Four complete entries, fewer than 10: the special block says so instead of its counts.
    expect(await page.locator('section.esf-special').textContent()).toContain('Te weinig deelnemers om deze antwoorden te tonen');
    expect(await page.locator('section.esf-special table').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Download ESF+-indicatoren als CSV' }).getAttribute('href')).toBe('/api/reports/esf?from=2025-01-01&to=2025-03-31&format=csv');
  });

  it('fits the phone: no horizontal scroll, no chart wider than the screen', async () => {
    const sizes = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      widest: Math.max(...[...document.querySelectorAll('section.chart svg')].map((svg) => svg.getBoundingClientRect().right)),
      // The charts' tables fit too: none needs its own sideways scroll.
      scrolling: [...document.querySelectorAll('section.chart .table-wrap, section.esf .table-wrap')].filter((w) => w.scrollWidth > w.clientWidth).map((w) => w.closest('section')?.id),
    }));
    expect(sizes.scrolling).toEqual([]);
    expect(sizes.scrollWidth).toBeLessThanOrEqual(sizes.clientWidth);
    expect(sizes.widest).toBeLessThanOrEqual(sizes.clientWidth);
    // snap() holds the page to axe-core (an SVG image without a name is a serious violation) and saves it.
    await snap(page, '18-rapport-grafieken');
    // Each chart on its own too, for a person to look at (the full page is long).
    for (const id of await page.locator('section.chart').evaluateAll((sections) => sections.map((s) => s.id))) {
      await page.locator(`#${id}`).screenshot({ path: join(SCREENSHOTS, `18-${id}.png`) });
    }
  });

  it('prints as the funder\'s annex: no navigation or forms, the charts and a heading with site and period', async () => {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Emulation.setEmulatedMedia', { media: 'print' });
    const shown = await page.evaluate(() => {
      const visible = (el: Element | null) => el !== null && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
      return {
        header: visible(document.querySelector('header.top')),
        nav: visible(document.querySelector('nav')),
        forms: [...document.querySelectorAll('form')].some(visible),
        buttons: [...document.querySelectorAll('a.button, button')].some(visible),
        charts: [...document.querySelectorAll('section.chart svg')].map(visible),
        tables: [...document.querySelectorAll('section.chart table')].map(visible),
        heading: document.querySelector('h2.report-heading')?.textContent,
        annex: visible(document.querySelector('.print-only')),
        avoid: getComputedStyle(document.querySelector('section.chart')!).breakInside,
      };
    });
    expect(shown).toEqual({
      header: false,
      nav: false,
      forms: false,
      buttons: false,
      charts: [true, true, true, true, true, true],
      tables: [true, true, true, true, true, true],
      heading: 'Stuyfplek Grafieken: 1 januari 2025 – 31 maart 2025',
      annex: true,
      avoid: 'avoid',
    });
    await page.screenshot({ path: join(SCREENSHOTS, '19-rapport-afdruk.png'), fullPage: true });
    const pdf = (await cdp.send('Page.printToPDF', { printBackground: true })) as { data: string };
    const bytes = Buffer.from(pdf.data, 'base64');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(10_000);
    await writeFile(join(SCREENSHOTS, '19-rapport-bijlage.pdf'), bytes);
    await cdp.send('Emulation.setEmulatedMedia', { media: '' });
  });
});
