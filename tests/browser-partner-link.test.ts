import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEmail } from '../infra/mail/outbox.js';
import { phoneBrowser } from './support/chromium.js';
import { takeIn, until, type Person } from './support/http.js';
import { snap } from './support/screens.js';
import { startServedStack, type ServedStack } from './support/stack.js';

/**
 * A warm referral from both sides in a real Chromium at phone size (390×844) with JavaScript
 * off: the coach introduces a participant to a partner with an address and consent; the partner
 * opens the link from the email (read from the outbox's API) and answers with a first
 * appointment; the coach sees the answer on the timeline and the follow-up task settled.
 *
 * The partner answers within the two weeks, so the follow-up the coach was waiting for never
 * comes. A follow-up task that is already open is closed by the answer: see
 * tests/api-partner-link-follow-up.test.ts (time-skipping stack) and tests/path-rules.test.ts.
 */


let stack: ServedStack;
let base: string;
let browser: Awaited<ReturnType<typeof phoneBrowser>>;
let siteId: string;
let staff: Person;
let coach: Person;

beforeAll(async () => {
  // PUBLIC_URL is this server, so the link in the partner's email opens here.
  const [started, opened] = await Promise.all([
    startServedStack(),
    phoneBrowser({ javaScriptEnabled: false }),
  ]);
  stack = started;
  browser = opened;
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coach.id, 'An (coach)']);
  base = stack.base;
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * Signs the coach in. The only place this test knows how people sign in (the local sign-in page
 * today), so a new sign-in mechanism changes this function only.
 */
async function signIn(page: Page, name: string): Promise<void> {
  await page.goto(`${base}/inloggen`);
  await page.getByLabel(name).check();
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/inloggen')), page.getByRole('button', { name: 'Aanmelden' }).click()]);
}


/** The partner's email, from the outbox's own HTTP API (what a mail program would show). */
async function partnerEmail(address: string): Promise<StoredEmail> {
  return until(async () => {
    const emails = (await (await fetch(`${stack.outbox.url}/emails.json`)).json()) as StoredEmail[];
    return emails.find((e) => e.to.includes(address));
  }, `the email to ${address}`);
}

describe('a warm referral, coach and partner on their phones, without JavaScript', () => {
  let participantId: string;
  let coachPage: Page;

  beforeAll(async () => {
    participantId = await takeIn(stack, staff, siteId, { firstName: 'Lotte', lastName: 'Peeters', coachId: coach.id });
    await stack.sql.query("update public.participants set phone = '0470 98 76 54' where id = $1", [participantId]);
    coachPage = await browser.context.newPage();
  });
  afterAll(async () => {
    await coachPage?.close();
  });

  it('the coach proposes a referral and introduces it to the partner with an address and consent', async () => {
    await signIn(coachPage, 'An (coach)');
    await coachPage.goto(`${base}/deelnemers/${participantId}`);
    await coachPage.locator('#actie-referOut > summary').click();
    await coachPage.getByLabel('Naar welke partner?').selectOption('vdab');
    await Promise.all([coachPage.waitForURL(/gedaan=referOut/), coachPage.locator('#actie-referOut button[type="submit"]').click()]);

    const form = coachPage.locator('details[id^="voorstellen-"]');
    await form.locator('summary').click();
    // Only the first name is checked to begin with.
    expect(await form.getByLabel('Voornaam').isChecked()).toBe(true);
    expect(await form.getByLabel('Telefoonnummer').isChecked()).toBe(false);
    expect(await form.getByLabel('Geboortedatum').isChecked()).toBe(false);
    await form.getByLabel('E-mailadres van de contactpersoon bij de partner').fill('trajectbegeleiding@vdab.example');
    await form.getByLabel('Introductie door de coach').check();
    await form.getByLabel('Introductie voor de partner').fill('Lotte zoekt een opleiding als kok; ze heeft al ervaring in ons buurtrestaurant.');
    await snap(coachPage, 'partner-01-voorstellen');
    await Promise.all([coachPage.waitForURL(/voorgesteld/), form.getByRole('button', { name: 'Voorstellen en link sturen' }).click()]);
    expect(await coachPage.getByRole('status').textContent()).toContain('Voorgesteld aan de partner');
    expect(await coachPage.locator('#doorverwijzingen ~ ul').textContent()).toContain('trajectbegeleiding@vdab.example');

    // The path now waits for the follow-up, two weeks from today.
    expect(await coachPage.locator('dl.facts').first().textContent()).toContain('Doorverwijzing nagaan');
  });

  it('the partner opens the link from the email and answers with a first appointment', async () => {
    const email = await partnerEmail('trajectbegeleiding@vdab.example');
    expect(email.text).not.toContain('Lotte');
    const link = /https?:\/\/\S+\/doorverwijzing\/[A-Za-z0-9_-]{72}/.exec(email.text ?? '')![0];
    expect(link.startsWith(base)).toBe(true);

    // The partner has no account and no session: only the link.
    await browser.context.clearCookies();
    const partnerPage = await browser.context.newPage();
    try {
      await partnerPage.goto(link);
      await expect.poll(() => partnerPage.locator('h1').textContent()).toBe('Warme doorverwijzing naar VDAB');
      const main = (await partnerPage.locator('main').textContent()) ?? '';
      expect(main).toContain('Stuyfplek Gent-Centrum');
      expect(main).toContain('An (coach)');
      expect(main).toContain('Lotte');
      expect(main).toContain('opleiding als kok');
      for (const absent of ['Peeters', '0470', 'Geboortedatum']) expect(main).not.toContain(absent);
      await snap(partnerPage, 'partner-02-pagina');

      await partnerPage.getByLabel('Eerste afspraak gepland').check();
      await partnerPage.getByLabel('Datum van de eerste afspraak').fill('2026-12-15');
      await Promise.all([partnerPage.waitForURL(/beantwoord/), partnerPage.getByRole('button', { name: 'Antwoord doorgeven' }).click()]);
      expect(await partnerPage.getByRole('status').textContent()).toContain('Bedankt');
      expect(await partnerPage.locator('#antwoord-gegeven').textContent()).toContain('eerste afspraak op 15 dec');
      await snap(partnerPage, 'partner-03-beantwoord');
    } finally {
      await partnerPage.close();
    }
  });

  it('the coach sees the answer on the timeline, and the follow-up task is settled', async () => {
    await signIn(coachPage, 'An (coach)');
    await expect
      .poll(async () => {
        await coachPage.goto(`${base}/deelnemers/${participantId}`);
        return coachPage.locator('ol.timeline').textContent();
      })
      .toContain('Partner antwoordde: eerste afspraak op 15 dec');
    expect(await coachPage.locator('#doorverwijzingen ~ ul').textContent()).toContain('aanvaard');
    // Nothing waits for the follow-up any more.
    expect(await coachPage.locator('dl.facts').first().textContent()).not.toContain('Doorverwijzing nagaan');
    await snap(coachPage, 'partner-04-tijdlijn');
    await expect
      .poll(async () => {
        await coachPage.goto(`${base}/taken`);
        return coachPage.locator('main').textContent();
      })
      .not.toContain('Nagaan of de doorverwijzing gelukt is');
    const { rows } = await stack.sql.query("select status from public.tasks where participant_id = $1 and kind = 'referral_follow_up'", [participantId]);
    expect(rows).toEqual([]);
  });
});
