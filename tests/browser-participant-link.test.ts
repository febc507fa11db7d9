import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneBrowser } from './support/chromium.js';
import { api, until, type Person } from './support/http.js';
import { snap } from './support/screens.js';
import { browserSessionCookies } from './support/sessions.js';
import { startServedStack, type ServedStack } from './support/stack.js';

/**
 * The participant's own page in a real Chromium at phone size (390×844) with JavaScript off:
 * the participant opens the link from their email (read from the outbox), reads their agreement
 * and presses "Akkoord"; then their coach sees the confirmation with its time on the participant
 * page, and makes a new link with its QR code. Screenshots go to tests/screenshots/.
 */

const GOAL = 'Een eigen kookatelier voor de buurt, met mensen uit de wijk.';

let stack: ServedStack;
let base: string;
let browser: Awaited<ReturnType<typeof phoneBrowser>>;
let context: BrowserContext;
let coach: Person;
let participantId: string;

beforeAll(async () => {
  // Links in emails point at this server, as PUBLIC_URL does in production.
  const [started, opened] = await Promise.all([startServedStack(), phoneBrowser({ javaScriptEnabled: false })]);
  stack = started;
  browser = opened;
  context = browser.context;
  base = stack.base;

  const siteId = await stack.site('Stuyfplek Gent-Centrum');
  const staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coach.id, 'An (coach)']);
  const res = await api(stack, '/api/intakes', {
    token: staff.token,
    body: { siteId, firstName: 'Lotte', lastName: 'Peeters', birthDate: '1990-04-12', email: 'lotte@example.be', consentEmail: true, referralSource: 'ocmw', coachId: coach.id },
  });
  expect(res.status).toBe(201);
  participantId = ((await res.json()) as { participantId: string }).participantId;
  for (const [type, body] of [
    ['changePhase', { to: 'focus', reason: 'ready_for_next_step' }],
    ['signAgreement', { commitments: ['connectors_table', 'stuyflab'], privileges: ['space', 'network'], note: GOAL }],
    ['registerStep', { status: 'done', note: 'Een gesprek met Unizo over een eigen zaak' }],
    ['registerStep', { status: 'needed', note: 'Een cursus boekhouden volgen' }],
  ] as const) {
    expect((await api(stack, `/api/participants/${participantId}/actions/${type}`, { token: coach.token, body })).status, type).toBe(200);
  }
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Signs a staff member or coach in for this browser: the cookies of their real session (@supabase/ssr's format). */
async function signIn(person: Person): Promise<void> {
  await context.addCookies(browserSessionCookies(person.token, base));
}


describe('the participant confirms their agreement from their email; the coach sees it', () => {
  it('opens the link from the email, reads the agreement and presses "Akkoord"', async () => {
    const email = await until(async () => stack.outbox.emails().find((e) => e.to.includes('lotte@example.be') && e.subject === 'Je groeiovereenkomst is getekend'), 'the agreement email', 30_000);
    const link = /Bekijk je groeipad: (\S+)/.exec(email.text ?? '')?.[1];
    expect(link?.startsWith(`${base}/mijn-pad/`)).toBe(true);

    const page = await context.newPage();
    await page.goto(link!);
    expect(await page.title()).toBe('Mijn groeipad · groeipad');
    expect(await page.locator('h1').textContent()).toBe('Dag Lotte, dit is jouw groeipad');
    expect(await page.locator('#waar').textContent()).toBe('Je weet wat je wil, en je zoekt hoe je daar komt.');
    expect(await page.locator('#doel').textContent()).toBe(GOAL);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('Een cursus boekhouden volgen');
    expect(main).toContain('Een gesprek met Unizo over een eigen zaak');
    expect(main).toContain('Je coach is An (coach).');
    expect(await page.locator('meta[name="robots"]').getAttribute('content')).toContain('noindex');
    await snap(page, '20-mijn-pad');

    await Promise.all([page.waitForURL(/gedaan=akkoord$/), page.getByRole('button', { name: 'Akkoord' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('Je hebt je groeiovereenkomst bevestigd');
    expect(await page.locator('#akkoord-stand').textContent()).toMatch(/^Je zei akkoord op .*2\d{3}.*\d{2}:\d{2}\. Dank je wel!$/);
    expect(await page.getByRole('button', { name: 'Akkoord' }).count()).toBe(0);
    await snap(page, '21-mijn-pad-akkoord');

    // A second press (the form sent again, as from a page kept open in another tab): "al bevestigd", never an error page.
    const agreementId = await until(async () => (await stack.sql.query<{ id: string }>('select id from public.agreements where participant_id = $1', [participantId])).rows[0]?.id, 'the agreement row');
    const again = await page.request.post(`${link}/akkoord`, { form: { agreementId }, headers: { origin: base }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    await page.goto(new URL(again.headers().location!, base).href);
    expect(await page.getByRole('status').textContent()).toContain('al bevestigd');
    await snap(page, '22-mijn-pad-al-bevestigd');
    await page.close();
  });

  it('the coach sees the confirmation with its time, and makes a new link with a QR code', async () => {
    await signIn(coach);
    const page = await context.newPage();
    await page.goto(`${base}/deelnemers/${participantId}`);
    expect(await page.locator('h1').textContent()).toBe('Lotte Peeters');
    const confirmed = await page.locator('#akkoord-deelnemer').textContent();
    expect(confirmed).toMatch(/^Bevestigd door de deelnemer op .*2\d{3}.*\d{2}:\d{2}$/);
    expect(await page.locator('#eigen-pagina-akkoord').textContent()).toBe(confirmed);
    expect(await page.locator('#laatst-bekeken').textContent()).toMatch(/^Laatst bekeken op /);
    expect(await page.locator('ol.timeline').textContent()).toContain('Groeiovereenkomst bevestigd door de deelnemer');

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Maak een nieuwe link' }).click()]);
    const shown = await page.locator('#nieuwe-link').textContent();
    expect(shown).toMatch(new RegExp(`^${base}/mijn-pad/[A-Za-z0-9_-]{72}$`));
    expect(await page.getByRole('img', { name: /QR-code van de link/ }).locator('svg').count()).toBe(1);
    await page.locator('#eigen-pagina').scrollIntoViewIfNeeded();
    await snap(page, '23-deelnemer-eigen-pagina');

    // The new link opens the participant's page, in a browser without the coach's session.
    const other = await phoneBrowser({ javaScriptEnabled: false });
    try {
      const participantPage = await other.context.newPage();
      await participantPage.goto(shown!);
      expect(await participantPage.locator('h1').textContent()).toBe('Dag Lotte, dit is jouw groeipad');
    } finally {
      await other.close();
    }
    await page.close();
  });
});

describe('the participant downloads their growth passport in the browser, without JavaScript', () => {
  it('ticks a validated step and gets a PDF; without a step the form says so next to the list', async () => {
    const steps: Array<[string, string, string]> = [
      ['Zelf de kassa van het café opgemaakt, één week lang', '2026-10-14T10:00:00Z', 'observed'],
      ['Cursus “boekhouden” bij Syntra afgerond', '2026-11-03T15:30:00Z', 'certificate'],
    ];
    const ids: string[] = [];
    for (const [text, validatedAt, evidence] of steps) {
      const note = await stack.sql.query<{ id: string }>('insert into public.notes (participant_id, body) values ($1, $2) returning id', [participantId, text]);
      const { rows } = await stack.sql.query<{ id: string }>(
        `insert into public.steps (id, participant_id, site_id, path_run, status, registered_at, note_id, last_key, validated_at, validated_by, evidence)
         select gen_random_uuid(), p.id, p.site_id, 1, 'done', now(), $2, 'browser-test/' || gen_random_uuid(), $3, $4, $5 from public.participants p where p.id = $1 returning id`,
        [participantId, note.rows[0]!.id, validatedAt, coach.id, evidence],
      );
      ids.push(rows[0]!.id);
    }
    const { issueLink } = await import('../activities/access-links.js');
    const link = await issueLink(stack.db, stack.config.LINK_SECRET, { participantId, siteId: (await stack.sql.query<{ site_id: string }>('select site_id from public.participants where id = $1', [participantId])).rows[0]!.site_id, purpose: 'participant_page', validity: stack.config.PARTICIPANT_LINK_VALIDITY });

    const page = await context.newPage();
    await page.goto(`${base}/mijn-pad/${link.token}`);
    await page.locator('#groeipaspoort').scrollIntoViewIfNeeded();
    expect(await page.getByRole('checkbox', { name: /Zelf de kassa van het café/ }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'Zet mijn naam erop' }).isChecked()).toBe(true);
    await snap(page, '24-mijn-pad-groeipaspoort');

    // Nothing ticked: the same page, the problem next to the list.
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Download als pdf' }).click()]);
    expect(await page.locator('#paspoort-stappen-error').textContent()).toBe('Kies minstens één stap voor het groeipaspoort.');
    await snap(page, '25-mijn-pad-groeipaspoort-fout');

    await page.getByRole('checkbox', { name: /Cursus “boekhouden”/ }).check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download als pdf' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^groeipaspoort-\d{4}-\d{2}-\d{2}\.pdf$/);
    const { readFile } = await import('node:fs/promises');
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();

    // The coach's participant page has the same choice, for downloading on the participant's behalf.
    await signIn(coach);
    const coachPage = await context.newPage();
    await coachPage.goto(`${base}/deelnemers/${participantId}`);
    await coachPage.locator('#groeipaspoort').scrollIntoViewIfNeeded();
    expect(await coachPage.getByRole('checkbox', { name: /Zelf de kassa van het café/ }).count()).toBe(1);
    await snap(coachPage, '26-deelnemer-groeipaspoort');
    await coachPage.getByRole('checkbox', { name: /Zelf de kassa van het café/ }).check();
    const [credential] = await Promise.all([coachPage.waitForEvent('download'), coachPage.getByRole('button', { name: 'Download als digitaal bewijs' }).click()]);
    expect(credential.suggestedFilename()).toMatch(/^groeipaspoort-\d{4}-\d{2}-\d{2}\.jwt$/);
    expect((await readFile((await credential.path())!)).toString()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await coachPage.close();
  });
});
