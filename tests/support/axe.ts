import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

/**
 * axe-core, the accessibility engine, on what the browser shows. The pages forbid scripts and
 * most browser tests run with JavaScript off (to prove the pages need none), so axe — which
 * needs timers — does not run in the tested page itself: the page's DOM as it is now is served,
 * at the page's own address, to a page of a second, script-enabled browser of the same size (so
 * the same stylesheet loads), and axe runs there.
 */

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let checker: Promise<Browser> | undefined;
function checkerBrowser(): Promise<Browser> {
  // One per test process; Playwright closes it when the process exits.
  checker ??= ensureChromium().then((executablePath) => chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS }));
  return checker;
}

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** The serious and critical violations on the page as it is now (axe's WCAG A/AA rules and best practices). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const [html, url, viewport] = [await page.content(), page.url(), page.viewportSize() ?? { width: 390, height: 844 }];
  const context = await (await checkerBrowser()).newContext({ viewport, locale: 'nl-BE' });
  try {
    const checked = await context.newPage();
    // The copy is served at the page's own address, so its stylesheet loads as it did there.
    await checked.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await checked.goto(url, { waitUntil: 'load' });
    await checked.evaluate(AXE_SOURCE);
    return await checked.evaluate(async () => {
      type Result = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> };
      const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<Result> } }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
    });
  } finally {
    await context.close();
  }
}
