import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import { phoneBrowser } from './support/chromium.js';
import { api, takeIn, until, type Person } from './support/http.js';
import { snap } from './support/screens.js';
import { browserSessionCookies } from './support/sessions.js';
import { startServedStack, type ServedStack } from './support/stack.js';

/**
 * The attendance register of a group moment in a real Chromium at phone size (390×844) with
 * JavaScript off: the facilitator plans a connectors table, ticks who came (one of them invited
 * after a focus crisis, shown as just "uitgenodigd"), adds guests from partner organisations,
 * saves, sees the saved register, and saves again: nothing is counted twice. Every page passes
 * `snap()` (fits the phone, axe-core); screenshots go to tests/screenshots/.
 */

let stack: ServedStack;
let base: string;
let browser: Awaited<ReturnType<typeof phoneBrowser>>;
let context: BrowserContext;
let facilitator: Person;
let staff: Person;
const people: Record<'eva' | 'jonas' | 'lotte', string> = { eva: '', jonas: '', lotte: '' };
const TODAY = formatLocalDate(toLocalDate(Date.now()));

beforeAll(async () => {
  const [started, opened] = await Promise.all([startServedStack(), phoneBrowser({ javaScriptEnabled: false })]);
  stack = started;
  browser = opened;
  context = browser.context;
  base = stack.base;

  const siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [staff.id, 'Sofie (onthaal)']);
  const coach = await stack.person('coach', siteId);
  facilitator = await stack.person('facilitator', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [facilitator.id, 'Mira (begeleider)']);
  people.eva = await takeIn(stack, staff, siteId, { firstName: 'Eva', lastName: 'Maes', coachId: coach.id, email: 'eva@example.be' });
  people.jonas = await takeIn(stack, staff, siteId, { firstName: 'Jonas', lastName: 'Van den Broeck-Özdemir', coachId: coach.id });
  people.lotte = await takeIn(stack, staff, siteId, { firstName: 'Lotte', lastName: 'Peeters', coachId: coach.id });
  // The register expects whoever is on an active path: the paths' rows come just after the intake.
  await until(
    async () => ((await stack.sql.query("select 1 from public.paths where status = 'active' and participant_id = any($1)", [Object.values(people)])).rowCount === 3 ? true : undefined),
    'the paths',
  );
  // Eva's focus crisis waits for the next connectors table: the facilitator plans it below.
  expect((await api(stack, `/api/participants/${people.eva}/actions/signalCrisis`, { token: coach.token, body: { kind: 'focus_crisis' } })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(person: Person): Promise<void> {
  await context.addCookies(browserSessionCookies(person.token, base));
}

const attendance = async (participantId: string) => (await stack.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery)).attendance;

let momentUrl = '';

describe('a facilitator on a phone', () => {
  let page: Page;

  beforeAll(async () => {
    await signIn(facilitator);
    page = await context.newPage();
  });
  afterAll(async () => {
    await page?.close();
  });

  it('plans a connectors table, first with a mistake', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/groepsmomenten`);
    expect(await page.locator('h1').textContent()).toBe('Groepsmomenten');
    await snap(page, 'gm-01-groepsmomenten');

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Plannen' }).click()]);
    await page.waitForSelector('#plannen-problems');
    expect(await page.locator('#plannen-kind-error').textContent()).toBe('Maak een keuze.');
    expect(await page.locator('#plannen-date-error').textContent()).toBe('Vul dit in.');
    await snap(page, 'gm-02-plannen-fouten');

    await page.getByLabel('Soort groepsmoment').selectOption({ label: 'Connectorstafel' });
    await page.getByLabel('Datum').fill(TODAY);
    await Promise.all([page.waitForURL(/\/groepsmomenten\/[0-9a-f-]{36}\?gepland$/), page.getByRole('button', { name: 'Plannen' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Connectorstafel');
    expect(await page.getByRole('status').textContent()).toContain('Het groepsmoment is gepland.');
  });

  it('ticks who came, adds guests, saves, and sees the saved register', async () => {
    const main = page.locator('main');
    expect(await main.textContent()).toContain('Mira (begeleider)');
    // Eva was invited after her crisis: the register says only "uitgenodigd".
    const eva = page.locator('label', { hasText: 'Eva Maes' });
    expect(await eva.textContent()).toContain('uitgenodigd');
    expect((await main.textContent())?.toLowerCase()).not.toContain('crisis');
    expect(await page.locator('label', { hasText: 'Lotte Peeters' }).textContent()).not.toContain('uitgenodigd');
    await snap(page, 'gm-03-register');

    await page.getByLabel('Eva Maes').check();
    await page.getByLabel('Jonas Van den Broeck-Özdemir').check();
    await page.getByLabel('VDAB').fill('3');
    await page.getByLabel('OCMW').fill('veel');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Aanwezigheden bewaren' }).click()]);
    await page.waitForSelector('#register-problems');
    expect(await page.locator('#register-gasten-ocmw-error').textContent()).toBe('Vul een aantal in, van 0 tot 500.');
    // What was ticked and typed is kept; nothing is saved yet.
    expect(await page.getByLabel('Eva Maes').isChecked()).toBe(true);
    expect(await page.getByLabel('VDAB').inputValue()).toBe('3');
    expect(await attendance(people.eva)).toEqual({});
    await snap(page, 'gm-04-register-fout');

    await page.getByLabel('OCMW').fill('2');
    await Promise.all([page.waitForURL(/\?bewaard$/), page.getByRole('button', { name: 'Aanwezigheden bewaren' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('De aanwezigheden zijn bewaard: 2 deelnemers en 5 gasten.');
    expect(await page.locator('#bewaard').textContent()).toBe('2 deelnemers aanwezig, 5 gasten');
    for (const name of ['Eva Maes', 'Jonas Van den Broeck-Özdemir']) {
      expect(await page.getByLabel(name).isChecked()).toBe(true);
      expect(await page.getByLabel(name).isDisabled()).toBe(true);
    }
    expect(await page.getByLabel('Lotte Peeters').isChecked()).toBe(false);
    expect(await page.getByLabel('VDAB').inputValue()).toBe('3');
    await snap(page, 'gm-05-register-bewaard');
    expect(await attendance(people.eva)).toEqual({ connectors_table: 1 });
    expect(await attendance(people.jonas)).toEqual({ connectors_table: 1 });
  });

  it('sends the form again: the counts stay the same', async () => {
    momentUrl = page.url().replace(/\?.*$/, '');
    await Promise.all([page.waitForURL(/\?bewaard$/), page.getByRole('button', { name: 'Aanwezigheden bewaren' }).click()]);
    expect(await page.locator('#bewaard').textContent()).toBe('2 deelnemers aanwezig, 5 gasten');
    await snap(page, 'gm-06-register-nogmaals');
    expect(await attendance(people.eva)).toEqual({ connectors_table: 1 });
    expect(await attendance(people.jonas)).toEqual({ connectors_table: 1 });
    expect(await attendance(people.lotte)).toEqual({});
    const { rows } = await stack.sql.query<{ n: number }>('select count(*)::int as n from public.attendance where participant_id = any($1)', [[people.eva, people.jonas]]);
    expect(rows[0]!.n).toBe(2);
    const guests = await stack.sql.query<{ n: number }>('select sum(guests)::int as n from public.group_moment_guests');
    expect(guests.rows[0]!.n).toBe(5);
  });
});

describe('staff at the desk', () => {
  it('invite the site to the coming connectors table from its register', async () => {
    await context.clearCookies();
    await signIn(staff);
    const page = await context.newPage();
    await page.goto(momentUrl);
    expect(await page.locator('h1').textContent()).toBe('Connectorstafel');
    await snap(page, 'gm-07-register-onthaal');
    await Promise.all([page.waitForURL(/\?uitgenodigd$/), page.getByRole('button', { name: 'Uitnodigingen versturen' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('De uitnodigingen worden verstuurd');
    await snap(page, 'gm-08-uitgenodigd');
    await page.close();
  });
});
