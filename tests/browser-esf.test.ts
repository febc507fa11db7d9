import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ESF_ENTRY_ITEMS, ESF_ENTRY_KEYS, ESF_LABELS, ESF_SITUATION_LABELS, REFUSED_LABEL, entryAnswers } from '../domain/esf.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import { formatDate } from '../api/web/labels.js';
import { phoneBrowser } from './support/chromium.js';
import { until, type Person } from './support/http.js';
import { snap } from './support/screens.js';
import { browserSessionCookies } from './support/sessions.js';
import { startServedStack, type ServedStack } from './support/stack.js';

/**
 * The ESF+ pages as their people use them, in a real Chromium at phone size (390×844) with
 * JavaScript off, on the time-skipping server (six months pass in seconds): staff at the intake
 * desk answer the ESF+ questions (one refused, one sensitive), a wrong submission comes back with
 * the Dutch reason next to the field; on the participant page staff see what is missing and only
 * "ingevuld" for the sensitive answers, complete the record with a reason (a new version), and
 * the coach sees the values; the coach's outflow with a situation shows in "ESF: uitstroom en
 * resultaten"; six months later the participant answers "Werk je op dit moment?" on their own
 * page. Every page is held to the phone's width and to axe-core (support/screens.ts `snap`);
 * screenshots go to tests/screenshots/esf-*.png.
 */

const DAY = 86_400_000;
let stack: ServedStack;
let base: string;
let browser: Awaited<ReturnType<typeof phoneBrowser>>;
let context: BrowserContext;
let staff: Person;
let coach: Person;
let page: Page;
let participantId: string;

beforeAll(async () => {
  const [started, opened] = await Promise.all([startServedStack({}, { timeSkipping: inject('temporalTestServer') }), phoneBrowser({ javaScriptEnabled: false })]);
  stack = started;
  browser = opened;
  context = browser.context;
  base = stack.base;
  const siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [staff.id, 'Sofie (onthaal)']);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coach.id, 'An (coach)']);
  page = await context.newPage();
  // A missing element fails in seconds, not after the default 30.
  page.setDefaultTimeout(5_000);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The browser is this person now: the cookies of their real session (@supabase/ssr's format). */
async function signIn(person: Person): Promise<void> {
  await context.clearCookies();
  await context.addCookies(browserSessionCookies(person.token, base));
}
const text = async (selector: string) => ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ').trim();
/** The text of the option a select shows. */
const shown = (selector: string) => page.locator(selector).evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? '');
const submitAndLoad = (form: string) => Promise.all([page.waitForLoadState('load'), page.locator(`${form} button[type="submit"]`).click()]);

describe('staff at the intake desk', () => {
  it('the intake form asks every ESF+ question with "Wil niet antwoorden", the sensitive ones marked; a wrong submission says why next to the field', async () => {
    await signIn(staff);
    await page.goto(`${base}/inschrijving`);
    const fieldset = page.locator('fieldset.esf-questions');
    expect(await fieldset.locator('legend').textContent()).toBe('ESF-gegevens');
    for (const key of ESF_ENTRY_KEYS) {
      const select = page.getByLabel(`${ESF_ENTRY_ITEMS[key].label} (niet verplicht)`, { exact: true });
      expect(await select.getAttribute('name'), key).toBe(key);
      // Every answer of domain/esf.ts, "Wil niet antwoorden" last, after "Niet gevraagd" (left open).
      expect(await select.locator('option').allTextContents(), key).toEqual(['Niet gevraagd', ...entryAnswers(key).map((a) => ESF_LABELS[a])]);
      expect((await select.locator('option').allTextContents()).at(-1)).toBe(REFUSED_LABEL);
      // The sensitive questions say who reads the answer, as the select's description.
      const described = (await select.getAttribute('aria-describedby')) ?? '';
      if (ESF_ENTRY_ITEMS[key].special) {
        expect(await page.locator(`#intake-${key}-hint`).textContent(), key).toBe('Gevoelig gegeven: alleen de coach van de deelnemer ziet het antwoord.');
        expect(described.split(' '), key).toContain(`intake-${key}-hint`);
      } else {
        expect(await page.locator(`#intake-${key}-hint`).count(), key).toBe(0);
      }
    }
    await snap(page, 'esf-01-inschrijving');

    await page.getByLabel('Voornaam').fill('Noor');
    await page.getByLabel('Familienaam').fill('Van Acker');
    await page.getByLabel('Wie verwees door?').selectOption('ocmw');
    await page.getByLabel('E-mailadres').fill('noor.vanacker@example.be');
    await page.getByLabel('De deelnemer wil e-mails van de Stuyfplek krijgen').check();
    await page.getByLabel('Coach (niet verplicht)', { exact: true }).selectOption(coach.id);
    const answers = { labourStatus: 'long_term_unemployed', gender: 'female', homeless: 'no', disability: 'refused', thirdCountryNational: 'yes' } as const;
    for (const [key, value] of Object.entries(answers)) await page.locator(`#intake-${key}`).selectOption(value);
    // The birth date forgotten, and an answer the server does not know (a form kept open from before an update).
    await page.locator('#intake-education').evaluate((el: HTMLSelectElement) => {
      el.add(new Option('Oud antwoord', 'isced_9', true, true));
    });
    await submitAndLoad('form[action="/inschrijving"]');
    expect(new URL(page.url()).pathname).toBe('/inschrijving');
    expect(await text('#intake-birthDate-error')).toBe('Vul dit in.');
    expect(await page.locator('#intake-birthDate').getAttribute('aria-invalid')).toBe('true');
    expect(await text('#intake-education-error')).toBe('Kies een van de mogelijkheden.');
    expect(await page.locator('#intake-education').getAttribute('aria-describedby')).toContain('intake-education-error');
    expect(await text('#intake-problems')).toContain('Hoogst behaalde diploma: Kies een van de mogelijkheden.');
    // What was chosen is still chosen: the desk does not answer the questions twice.
    for (const [key, value] of Object.entries(answers)) expect(await page.locator(`#intake-${key}`).inputValue(), key).toBe(value);
    expect(await page.locator('#intake-firstName').inputValue()).toBe('Noor');
    await page.locator('#intake-birthDate').scrollIntoViewIfNeeded();
    await snap(page, 'esf-02-inschrijving-fout');

    // Corrected: the birth date, and the diploma left open (not asked yet).
    await page.getByLabel('Geboortedatum').fill('1990-05-17');
    await page.locator('#intake-education').selectOption('');
    await submitAndLoad('form[action="/inschrijving"]');
    const url = new URL(page.url());
    expect(url.pathname).toMatch(/^\/deelnemers\/[0-9a-f-]{36}$/);
    expect(url.search).toBe('?ingeschreven');
    participantId = url.pathname.split('/')[2]!;
  });
});

describe('the ESF-gegevens on the participant page', () => {
  it('staff see what is missing and only "ingevuld" for the sensitive answers, and complete the record with a reason; the coach sees the values', async () => {
    // Staff, just after the intake.
    expect(await text('#esf-stand')).toBe('Onvolledig: telt pas mee in het ESF-rapport als dit beantwoord is: hoogst behaalde diploma.');
    const staffSees = {
      labourStatus: ESF_LABELS.long_term_unemployed,
      education: 'Nog niet beantwoord',
      gender: ESF_LABELS.female,
      homeless: ESF_LABELS.no,
      rural: 'Nog niet beantwoord',
      disability: 'ingevuld',
      thirdCountryNational: 'ingevuld',
      foreignOrigin: 'Nog niet beantwoord',
      minority: 'Nog niet beantwoord',
    };
    for (const [key, value] of Object.entries(staffSees)) expect(await text(`#esf-antwoord-${key}`), key).toBe(value);
    // Nor does the correction form give the sensitive answers away.
    expect(await shown('#esf-disability')).toBe('Laten zoals het is (ingevuld)');
    expect(await shown('#esf-thirdCountryNational')).toBe('Laten zoals het is (ingevuld)');
    expect(await text('#esf-versies')).toMatch(/^Versie 1, .* door Sofie \(onthaal\) \(onvolledig\)$/);
    await page.locator('#esf-formulier > summary').click();
    await page.locator('#esf-gegevens').scrollIntoViewIfNeeded();
    await snap(page, 'esf-03-deelnemer-esf-staff');

    // The diploma, without a reason first: the reason is asked next to its field.
    await page.locator('#esf-education').selectOption('isced_3_4');
    await submitAndLoad('#esf-formulier form');
    expect(await text('#esf-reason-error')).toBe('schrijf waarom je de ESF-gegevens verbetert');
    expect(await page.locator('#esf-reason').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#esf-education').inputValue()).toBe('isced_3_4');
    await page.getByLabel('Waarom verbeter of vul je dit aan?').fill('Diploma nagevraagd bij het tweede gesprek.');
    await submitAndLoad('#esf-formulier form');
    expect(new URL(page.url()).search).toBe('?esf-bewaard');
    expect(await text('#esf-stand')).toBe('Volledig: telt mee in het ESF-rapport.');
    expect(await text('#esf-antwoord-education')).toBe(ESF_LABELS.isced_3_4);
    const versions = page.locator('#esf-versies > li');
    expect(await versions.count()).toBe(2);
    expect((await versions.nth(1).textContent())?.replace(/\s+/g, ' ')).toMatch(/^Versie 2, .* door Sofie \(onthaal\) \(volledig\)Reden: Diploma nagevraagd bij het tweede gesprek\.$/);
    // The sensitive answers travelled with the new version, still unread by staff.
    expect(await text('#esf-antwoord-disability')).toBe('ingevuld');

    // The participant's own coach reads the answers themselves.
    await signIn(coach);
    await page.goto(`${base}/deelnemers/${participantId}`);
    const coachSees = { ...staffSees, education: ESF_LABELS.isced_3_4, disability: REFUSED_LABEL, thirdCountryNational: ESF_LABELS.yes };
    for (const [key, value] of Object.entries(coachSees)) expect(await text(`#esf-antwoord-${key}`), key).toBe(value);
    expect(await shown('#esf-disability')).toBe(`Laten zoals het is (${REFUSED_LABEL})`);
    await page.locator('#esf-gegevens').scrollIntoViewIfNeeded();
    await snap(page, 'esf-04-deelnemer-esf-coach');
  });
});

describe('leaving and six months later', () => {
  it('the outflow with a situation shows under "ESF: uitstroom en resultaten"; six months on the participant answers "Werk je op dit moment?" on their own page', async () => {
    expect(await page.locator('#esf-resultaten').count()).toBe(0);
    await page.locator('#actie-outflow > summary').click();
    await page.getByLabel('Waarheen?').selectOption('education');
    const outflow = page.locator('#actie-outflow');
    await outflow.getByRole('checkbox', { name: ESF_SITUATION_LABELS.in_education }).check();
    await Promise.all([page.waitForURL(/gedaan=outflow/), outflow.locator('button[type="submit"]').click()]);
    const leaving = (await stack.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery)).leavings![0]!;
    const section = page.locator('#esf-resultaten-sectie');
    expect(await section.locator('h2').textContent()).toBe('ESF: uitstroom en resultaten');
    expect((await section.locator('#esf-uitstromen .title').textContent())?.replace(/\s+/g, ' ')).toBe(`Uitstroom op ${formatDate(leaving.leftOn)} — Opleiding of vorming (groeipad 1)`);
    expect(await text('.esf-resultaat')).toBe(`${ESF_SITUATION_LABELS.in_education} (op ${formatDate(leaving.leftOn)})`);
    expect(await text('.esf-zes-maanden')).toBe(`De vraag komt op ${formatDate(leaving.followUpOn)}`);
    // The coach's two forms open, so their fields are held to the phone's width and to axe too.
    for (const form of ['#actie-recordLeavingResult', '#actie-recordFollowUp']) await page.locator(`${form} > summary`).click();
    expect(await text('#actie-recordLeavingResult .body > p.muted')).toBe(
      `Over de uitstroom van ${formatDate(leaving.leftOn)} (groeipad 1): de situatie van ${formatDate(leaving.leftOn)} tot ${formatDate(leaving.windowEnds)}.`,
    );
    await section.scrollIntoViewIfNeeded();
    await snap(page, 'esf-05-deelnemer-uitstroom');

    // The coach makes a link for the participant's own page; before the six months it asks nothing.
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Maak een nieuwe link' }).click()]);
    const link = await page.locator('#nieuwe-link').getAttribute('href');
    expect(link).toMatch(new RegExp(`^${base}/mijn-pad/[A-Za-z0-9_-]+$`));
    await context.clearCookies();
    await page.goto(link!);
    expect(await page.locator('h1').textContent()).toBe('Dag Noor, dit is jouw groeipad');
    expect(await page.locator('#werk').count()).toBe(0);

    // Six months later (calendar months, Brussels): the question is out.
    await stack.temporal.sleep(190 * DAY);
    await until(
      async () => (await stack.sql.query("select 1 from public.tasks where participant_id = $1 and kind = 'esf_follow_up'", [participantId])).rows[0],
      'the follow-up task',
    );
    await page.goto(link!);
    expect(await page.locator('#werk').textContent()).toBe('Werk je op dit moment?');
    expect(await text('#werk-stand p')).toContain(`Sinds je vertrek bij de Stuyfplek op ${formatDate(leaving.leftOn)}`);
    await page.locator('#werk').scrollIntoViewIfNeeded();
    await snap(page, 'esf-06-mijn-pad-vraag');

    // Sent without a choice: the reason next to the question; then "Nee, nu niet".
    await submitAndLoad('form#werk-stand');
    expect(await text('#werk-answer-error')).toBe('Kies een van de antwoorden.');
    await page.getByRole('radio', { name: 'Nee, nu niet' }).check();
    await Promise.all([page.waitForURL(/gedaan=werk-bedankt$/), page.getByRole('button', { name: 'Antwoord versturen' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('Bedankt voor je antwoord!');
    expect(await text('#werk-stand')).toBe('Bedankt voor je antwoord! Je blijft altijd welkom in de Stuyfplek.');
    expect(await page.getByRole('button', { name: 'Antwoord versturen' }).count()).toBe(0);
    await snap(page, 'esf-07-mijn-pad-bedankt');

    // The coach sees the answer, from the participant's own page.
    await signIn(coach);
    const answer = await until(async () => {
      await page.goto(`${base}/deelnemers/${participantId}`);
      const shownAnswer = await text('.esf-zes-maanden');
      return shownAnswer.startsWith('Werkt nu niet') ? shownAnswer : undefined;
    }, "the participant's answer on the coach's page");
    expect(answer).toMatch(/^Werkt nu niet — antwoord van de deelnemer op de eigen pagina op \d/);
  });
});
