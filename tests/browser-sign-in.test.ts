import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEmail } from '../infra/mail/outbox.js';
import { phoneBrowser } from './support/chromium.js';
import { takeIn } from './support/http.js';
import { snap } from './support/screens.js';
import { startServedStack, type ServedStack } from './support/stack.js';

/**
 * Staff sign-in with Supabase Auth in a real Chromium at phone size: the local auth server mails
 * a code to the outbox, the person types it, the session lives in @supabase/ssr's cookies and is
 * refreshed when the access token expires (here after 3 seconds), sign-out ends it at the auth
 * server. Served by @hono/node-server against the real stack.
 */

const ACCESS_TOKEN_SECONDS = 3;
const COACH_EMAIL = 'an.coach@stuyfplek.test';

let stack: ServedStack;
let base: string;
let browser: Awaited<ReturnType<typeof phoneBrowser>>;
let context: BrowserContext;
let siteId: string;

beforeAll(async () => {
  const [started, opened] = await Promise.all([
    startServedStack({ AUTH_ACCESS_TOKEN_SECONDS: String(ACCESS_TOKEN_SECONDS) }),
    phoneBrowser(),
  ]);
  stack = started;
  browser = opened;
  context = browser.context;
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  base = stack.base;
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The emails to an address, through the outbox's HTTP API (as a person reads them on its page). */
async function mailTo(address: string): Promise<StoredEmail[]> {
  const res = await fetch(`${stack.outbox.url}/emails.json`);
  return ((await res.json()) as StoredEmail[]).filter((e) => e.to.includes(address));
}

async function latestCode(address: string): Promise<string> {
  const mails = await mailTo(address);
  const code = /Je aanmeldcode voor groeipad is: (\d{6})/.exec(mails.at(-1)?.text ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${address}`);
  return code;
}

/** The session @supabase/ssr keeps in the browser's cookies (`base64-` + JSON, split over `.0`, `.1` when big). */
async function cookieSession(): Promise<{ access_token: string; refresh_token: string } | null> {
  const cookies = (await context.cookies(base)).filter((c) => /^groeipad_session(\.\d+)?$/.test(c.name));
  if (cookies.length === 0) return null;
  const chunk = (name: string) => cookies.find((c) => c.name === name)?.value;
  let value = chunk('groeipad_session');
  if (value === undefined) {
    value = '';
    for (let i = 0; chunk(`groeipad_session.${i}`) !== undefined; i += 1) value += chunk(`groeipad_session.${i}`);
  }
  expect(value.startsWith('base64-')).toBe(true);
  return JSON.parse(Buffer.from(value.slice('base64-'.length), 'base64url').toString('utf8')) as { access_token: string; refresh_token: string };
}

function refreshAtAuthServer(refreshToken: string) {
  return fetch(`${stack.supabase.url}/auth/v1/token?grant_type=refresh_token`, {
    method: 'POST',
    headers: { apikey: stack.supabase.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
}

async function signInWithCode(page: Page, email: string, screenshots?: string): Promise<void> {
  await page.getByLabel('E-mailadres').fill(email);
  await Promise.all([page.waitForURL(`${base}/aanmelden`), page.getByRole('button', { name: 'Stuur me een code' }).click()]);
  await expect.poll(() => page.locator('h1').textContent()).toBe('Typ je code');
  expect(await page.getByRole('status').textContent()).toContain('We stuurden een code als dit adres bij ons bekend is');
  if (screenshots) await snap(page, `${screenshots}-code`);
  await page.getByLabel('Code').fill(await latestCode(email));
  await Promise.all([page.waitForURL((url) => url.pathname !== '/aanmelden/code'), page.getByRole('button', { name: 'Aanmelden' }).click()]);
}

describe('a coach signs in with a code from their email', () => {
  let page: Page;
  let participantId: string;

  beforeAll(async () => {
    const staff = await stack.person('staff', siteId);
    const coach = await stack.person('coach', siteId, COACH_EMAIL);
    await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coach.id, 'An (coach)']);
    // The staff member's token lives 3 seconds: take the participant in right away.
    participantId = await takeIn(stack, staff, siteId, { firstName: 'Lotte', lastName: 'Peeters', coachId: coach.id });
    page = await context.newPage();
  });
  afterAll(async () => {
    await page?.close();
  });

  it('is sent to sign in, gets a code by email, and lands on the page they wanted', async () => {
    await page.goto(`${base}/deelnemers`);
    expect(new URL(page.url()).pathname).toBe('/inloggen');
    await Promise.all([page.waitForURL(/\/aanmelden\?/), page.getByRole('link', { name: 'Aanmelden met je e-mailadres' }).click()]);
    expect(new URL(page.url()).searchParams.get('terug')).toBe('/deelnemers');
    await snap(page, '20-aanmelden-email');

    // A typo in the code: said in Dutch next to the field, the form stays.
    await page.getByLabel('E-mailadres').fill(COACH_EMAIL);
    await Promise.all([page.waitForURL(`${base}/aanmelden`), page.getByRole('button', { name: 'Stuur me een code' }).click()]);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Typ je code');
    await snap(page, '21-aanmelden-code');
    const code = await latestCode(COACH_EMAIL);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await page.getByLabel('Code').fill(wrong);
    await Promise.all([page.waitForURL(`${base}/aanmelden/code`), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    await page.waitForSelector('#code-code-error');
    expect(await page.locator('#code-code-error').textContent()).toBe('Deze code klopt niet of is verlopen. Kijk de cijfers na, of vraag een nieuwe code aan.');
    await snap(page, '22-aanmelden-foute-code');

    await page.getByLabel('Code').fill(code);
    await Promise.all([page.waitForURL(`${base}/deelnemers`), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Mijn deelnemers');
    expect(await page.locator('ul.list > li').count()).toBe(1);
    const cookie = (await context.cookies(base)).find((c) => c.name === 'groeipad_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  });

  it('keeps working after the access token expired: the session is refreshed and the cookie holds new tokens', async () => {
    const before = (await cookieSession())!;
    await new Promise((r) => setTimeout(r, (ACCESS_TOKEN_SECONDS + 1) * 1000));
    await page.goto(`${base}/deelnemers/${participantId}`);
    expect(await page.locator('h1').textContent()).toBe('Lotte Peeters');
    const after = (await cookieSession())!;
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);

    await new Promise((r) => setTimeout(r, (ACCESS_TOKEN_SECONDS + 1) * 1000));
    await page.goto(`${base}/taken`);
    expect(await page.locator('h1').textContent()).toBe('Mijn taken');
    expect((await cookieSession())!.access_token).not.toBe(after.access_token);
  });

  it('signs out: the cookies are gone, the page says so, and the refresh token no longer works', async () => {
    const last = (await cookieSession())!;
    await Promise.all([page.waitForURL(/afgemeld/), page.getByRole('button', { name: 'Afmelden' }).click()]);
    expect(await page.getByRole('status').first().textContent()).toContain('Je bent afgemeld.');
    expect(await cookieSession()).toBeNull();
    await snap(page, '23-afgemeld');

    const res = await refreshAtAuthServer(last.refresh_token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'refresh_token_not_found' });
    await page.goto(`${base}/deelnemers`);
    expect(new URL(page.url()).pathname).toBe('/inloggen');
  });
});

describe('sign-in pages say nothing about who has an account', () => {
  it('answers an unknown address like a known one, and mails nothing', async () => {
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`${base}/aanmelden`);
    await page.getByLabel('E-mailadres').fill('niemand@example.be');
    await Promise.all([page.waitForURL(`${base}/aanmelden`), page.getByRole('button', { name: 'Stuur me een code' }).click()]);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Typ je code');
    expect(await page.getByRole('status').textContent()).toContain('We stuurden een code als dit adres bij ons bekend is');
    expect(await mailTo('niemand@example.be')).toEqual([]);
    await page.close();
  });
});

describe('an account without a profile', () => {
  it('sees that it is not linked to a Stuyfplek yet, and can sign out', async () => {
    await context.clearCookies();
    await stack.sql.query("insert into auth.users (id, email) values (gen_random_uuid(), 'nieuwe.collega@stuyfplek.test')");
    const page = await context.newPage();
    await page.goto(`${base}/aanmelden`);
    await signInWithCode(page, 'nieuwe.collega@stuyfplek.test');
    expect(await page.locator('h1').textContent()).toBe('Je account is nog niet gekoppeld');
    expect(await page.locator('main').textContent()).toContain('Vraag de coördinator of het onthaal van je Stuyfplek');
    const res = await page.goto(`${base}/deelnemers`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Je account is nog niet gekoppeld');
    await snap(page, '24-niet-gekoppeld');
    await Promise.all([page.waitForURL(/afgemeld/), page.getByRole('button', { name: 'Afmelden' }).click()]);
    expect(await cookieSession()).toBeNull();
    await page.close();
  });
});
