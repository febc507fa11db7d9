import { serve, type ServerType } from '@hono/node-server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optOutUrl } from '../activities/opt-out.js';
import { freePort } from '../infra/net.js';
import { phoneBrowser } from './support/chromium.js';
import { snap } from './support/screens.js';
import { takeIn, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The web pages in a real Chromium at phone size (390×844), served by @hono/node-server on a
 * free port against the real stack. Each page is saved to tests/screenshots/ for a person to look at.
 */

let stack: TestStack;
let server: ServerType;
let base: string;
let browser: Awaited<ReturnType<typeof phoneBrowser>>;
let context: BrowserContext;
let siteId: string;
let staff: Person;
let coach: Person;
let coordinator: Person;

beforeAll(async () => {
  const [started, opened] = await Promise.all([startTestStack(), phoneBrowser()]);
  stack = started;
  browser = opened;
  context = browser.context;
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  coordinator = await stack.person('coordinator', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [staff.id, 'Sofie (onthaal)']);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coach.id, 'An (coach)']);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coordinator.id, 'Karim (coördinator)']);
  const port = await freePort();
  server = serve({ fetch: stack.app.fetch, port, hostname: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await stack?.stop();
});

/** Signs in through the page with the keyboard only: tab to the person, space, tab to the button, enter. */
async function signInWithKeyboard(page: Page, name: string): Promise<void> {
  await page.goto(`${base}/inloggen`);
  for (let i = 0; i < 20; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type ?? '');
    if (focused === 'radio') break;
  }
  // Arrow keys move through the radio group; stop at the person.
  for (let i = 0; i < 10; i += 1) {
    const label = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return document.querySelector(`label[for="${el.id}"]`)?.textContent ?? '';
    });
    if (label.includes(name)) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Aanmelden');
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/inloggen')), page.keyboard.press('Enter')]);
}

describe('a coach on a phone', () => {
  let participantId: string;
  let page: Page;

  beforeAll(async () => {
    participantId = await takeIn(stack, staff, siteId, {
      firstName: 'Lotte',
      lastName: 'Peeters',
      coachId: coach.id,
      email: 'lotte.marie-louise.vandenbroeck-peeters@stuyfplek-gent-centrum.example.be',
    });
    await takeIn(stack, staff, siteId, { firstName: 'Youssef', lastName: 'El Amrani', coachId: coach.id, referralSource: 'vdab' });
    page = await context.newPage();
  });

  it('signs in with the keyboard and sees their participants', async () => {
    await page.goto(`${base}/inloggen`);
    await expect.poll(() => page.title()).toBe('Aanmelden · groeipad');
    await snap(page, '01-aanmelden');
    await signInWithKeyboard(page, 'An (coach)');
    expect(new URL(page.url()).pathname).toBe('/deelnemers');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Mijn deelnemers');
    expect(await page.locator('ul.list > li').count()).toBe(2);
    await snap(page, '02-mijn-deelnemers');
  });

  it('signals a focus crisis with the move and sees phase Focus on the timeline', async () => {
    await page.getByRole('link', { name: 'Lotte Peeters' }).click();
    await page.waitForURL(`${base}/deelnemers/${participantId}`);
    expect(await page.locator('#fase').textContent()).toBe('Oriëntatie');
    // The long address wraps over several lines, but only between its parts, never inside one.
    const email = page.locator('.email');
    expect((await email.evaluate((el) => el.getClientRects().length))).toBeGreaterThan(1);
    expect(await email.locator('> span').evaluateAll((parts) => parts.map((p) => `${p.textContent}: ${p.getClientRects().length}`))).toEqual(
      ['lotte.', 'marie-', 'louise.', 'vandenbroeck-', 'peeters', '@stuyfplek-', 'gent-', 'centrum.', 'example.', 'be'].map((part) => `${part}: 1`),
    );
    await snap(page, '03-deelnemer');

    await page.locator('#actie-signalCrisis > summary').click();
    await page.getByRole('radio', { name: 'Focuscrisis' }).check();
    await page.getByLabel('Meteen de voorgestelde overstap maken').check();
    await page.getByLabel('Korte notitie').fill('Lotte twijfelt tussen een eigen atelier en een job; ze wil eerst weten waarom.');
    await snap(page, '04-crisis-formulier');
    await Promise.all([page.waitForURL(/gedaan=signalCrisis/), page.locator('#actie-signalCrisis button[type="submit"]').click()]);

    expect(await page.locator('#fase').textContent()).toBe('Focus');
    const timeline = page.locator('ol.timeline');
    await expect.poll(() => timeline.textContent()).toContain('Fase: Oriëntatie → Focus');
    expect(await timeline.textContent()).toContain('Focuscrisis gesignaleerd');
    expect(await timeline.textContent()).toContain('Lotte twijfelt tussen een eigen atelier en een job');
    expect(await page.getByRole('status').textContent()).toContain('De crisis is genoteerd.');
    await snap(page, '05-deelnemer-na-focuscrisis');
  });

  it('sees a refused action with its reason, and what they typed is kept', async () => {
    const other = await takeIn(stack, staff, siteId, { firstName: 'Mehmet', lastName: 'Yilmaz', coachId: coach.id });
    await page.goto(`${base}/deelnemers/${other}`);
    await page.locator('#actie-signAgreement > summary').click();
    const goal = 'Een eigen kookatelier voor de buurt.';
    await page.getByLabel('Groeidoel').fill(goal);
    await page.getByLabel('Open huys').check();
    await page.getByLabel('Stuyflab').check();
    await Promise.all([page.waitForLoadState('load'), page.locator('#actie-signAgreement button[type="submit"]').click()]);
    await page.waitForSelector('#actie-signAgreement-refused');

    const refusal = await page.locator('#actie-signAgreement-refused').textContent();
    expect(refusal).toContain('Dit kan nu niet');
    expect(refusal).toContain('Een groeiovereenkomst wordt getekend in de focus- of activeringsfase, niet in oriëntatie.');
    expect(await page.locator('#actie-signAgreement').getAttribute('open')).not.toBeNull();
    expect(await page.getByLabel('Groeidoel').inputValue()).toBe(goal);
    expect(await page.getByLabel('Open huys').isChecked()).toBe(true);
    expect(await page.getByLabel('Stuyflab').isChecked()).toBe(true);
    expect(await page.getByLabel('Connectorstafel').isChecked()).toBe(false);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('actie-signAgreement-refused');
    await page.locator('#actie-signAgreement-refused').scrollIntoViewIfNeeded();
    await snap(page, '06-actie-geweigerd');
  });

  it('has a task list', async () => {
    // The crisis's task is written by the worker just after the update; reload until it is there.
    await expect
      .poll(async () => {
        await page.goto(`${base}/taken?wanneer=vandaag`);
        return page.locator('main').textContent();
      })
      .toContain('Coachingsgesprek plannen');
    await snap(page, '07-mijn-taken');
  });

  afterAll(async () => {
    await page?.close();
  });
});

describe('staff at the reception desk', () => {
  let page: Page;

  beforeAll(async () => {
    await context.clearCookies();
    page = await context.newPage();
  });
  afterAll(async () => {
    await page?.close();
  });

  it('do an intake through the form, first with mistakes, then right', async () => {
    await page.goto(`${base}/inloggen`);
    await page.getByLabel('Sofie (onthaal)').check();
    await Promise.all([page.waitForURL(`${base}/deelnemers`), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    await snap(page, '08-deelnemers-onthaal');

    await page.getByRole('link', { name: 'Inschrijving' }).click();
    await page.waitForURL(`${base}/inschrijving`);
    await snap(page, '09-inschrijving');

    await page.getByLabel('Voornaam').fill('Nadia');
    await page.getByLabel('E-mailadres').fill('nadia@');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Inschrijven en groeipad starten' }).click()]);
    await page.waitForSelector('#intake-lastName-error');
    expect(await page.locator('#intake-lastName-error').textContent()).toBe('vul een familienaam in');
    expect(await page.locator('#intake-referralSource-error').textContent()).toBe('Maak een keuze.');
    expect(await page.locator('#intake-email-error').textContent()).toBe('geen geldig e-mailadres');
    expect(await page.getByLabel('Voornaam').inputValue()).toBe('Nadia');
    // The focus starts on the list of problems, whose links lead to the fields.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('intake-problems');
    await snap(page, '10-inschrijving-fouten');

    await page.getByLabel('Familienaam').fill('Bouzid');
    await page.getByLabel('Geboortedatum').fill('1992-03-14');
    await page.getByLabel('E-mailadres').fill('nadia@example.be');
    await page.getByLabel('De deelnemer wil e-mails van de Stuyfplek krijgen').check();
    await page.getByLabel('Wie verwees door?').selectOption({ label: 'OCMW' });
    await page.getByLabel('Coach').selectOption({ label: 'An (coach)' });
    await Promise.all([page.waitForURL(/\/deelnemers\/[0-9a-f-]{36}\?ingeschreven$/), page.getByRole('button', { name: 'Inschrijven en groeipad starten' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Nadia Bouzid');
    expect(await page.getByRole('status').textContent()).toContain('Ingeschreven. Het groeipad is gestart in oriëntatie.');
    expect(await page.locator('#fase').textContent()).toBe('Oriëntatie');
    const { rows } = await stack.sql.query("select referral_source, coach_id, consent_email from public.participants where first_name = 'Nadia'");
    expect(rows).toEqual([{ referral_source: 'ocmw', coach_id: coach.id, consent_email: true }]);
    await snap(page, '11-deelnemer-ingeschreven');

    // The desk sees the site's work: everyone's open tasks, with whose they are.
    await page.goto(`${base}/taken`);
    await page.getByLabel('Van wie?').selectOption({ label: 'Iedereen van de Stuyfplek' });
    await Promise.all([page.waitForURL(/van=iedereen/), page.getByRole('button', { name: 'Toon' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Taken van de Stuyfplek');
    expect(await page.locator('main').textContent()).toContain('An (coach)');
    await snap(page, '11b-taken-stuyfplek');
  });
});

describe('a coordinator', () => {
  it('reads the report for a period', async () => {
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`${base}/inloggen`);
    await page.getByLabel('Karim (coördinator)').check();
    await Promise.all([page.waitForURL(`${base}/rapport`), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    const year = new Date().getFullYear();
    await page.getByLabel('Van').fill(`${year}-01-01`);
    await page.getByLabel('Tot en met').fill(`${year}-12-31`);
    await Promise.all([page.waitForURL(/\/rapport\?from=/), page.getByRole('button', { name: 'Toon rapport' }).click()]);
    expect(await page.locator('main').textContent()).toContain('Inschrijvingen per doorverwijzer');
    expect(await page.getByRole('link', { name: 'Download als CSV' }).getAttribute('href')).toContain('format=csv');
    await snap(page, '12-rapport');
    await page.close();
  });
});

describe('the pages without a session', () => {
  it('meet the same bar: the error page, and the opt-out link from an email before and after the button', async () => {
    await context.clearCookies();
    const page = await context.newPage();
    const missing = await page.goto(`${base}/deze-pagina-bestaat-niet`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Niet gevonden');
    await snap(page, '13-niet-gevonden');

    const participantId = await takeIn(stack, staff, siteId, { firstName: 'Mira', lastName: 'Wouters', coachId: coach.id });
    await page.goto(optOutUrl(base, participantId, stack.config.SUPABASE_JWT_SECRET));
    expect(await page.locator('h1').textContent()).toBe('Geen e-mails meer ontvangen?');
    await snap(page, '14-afmelden');
    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Ja, meld me af' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Je bent afgemeld');
    await snap(page, '15-afgemeld');

    // A link that does not work (here: made up), for a participant's page and a partner's.
    for (const [path, name] of [['/mijn-pad/', '16-link-werkt-niet'], ['/doorverwijzing/', '17-doorverwijzing-werkt-niet']] as const) {
      const bad = await page.goto(`${base}${path}${'A'.repeat(72)}`);
      expect(bad?.status()).toBe(404);
      expect(bad?.headers()['referrer-policy']).toBe('no-referrer');
      expect(await page.locator('h1').textContent()).toBe('Deze link werkt niet');
      await snap(page, name);
    }
    await page.close();
  });
});
