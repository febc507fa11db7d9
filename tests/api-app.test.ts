import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { ACTION_TYPES } from '../api/requests.js';
import { signUserToken } from '../infra/supabase/tokens.js';
import { ORIGIN, api, json, page, sessionCookie, submit } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The app's frame on the real stack: health and readiness, the OpenAPI document, security
 * headers, request ids, CSRF, the body limit, sign-in (local only) and sign-out, the error shape.
 */

let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };
let coach: { id: string; token: string };

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

describe('health and readiness', () => {
  it('answers /health and /ready with the database and Temporal up', async () => {
    expect(await json(await api(stack, '/health'))).toEqual({ status: 'ok' });
    const ready = await api(stack, '/ready');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ready', database: 'ok', temporal: 'ok' });
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with every route and one endpoint per coach action, schemas from zod', async () => {
    const res = await api(stack, '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } }>(res);
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/health', '/ready', '/api/intakes', '/api/participants', '/api/participants/{id}', '/api/tasks', '/api/tasks/{id}/complete', '/api/reports/funder']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    for (const type of ACTION_TYPES) {
      expect(doc.paths[`/api/participants/{id}/actions/${type}`]?.post, type).toBeTruthy();
      expect(doc.components.schemas[`${type}Request`], type).toBeTruthy();
      // `by` is the signed-in person, never part of a request.
      expect(doc.components.schemas[`${type}Request`]!.properties ?? {}).not.toHaveProperty('by');
    }
    const crisis = doc.components.schemas.signalCrisisRequest!;
    expect(crisis.properties).toMatchObject({ kind: { enum: ['focus_crisis', 'status_crisis'] }, move: { type: 'boolean', default: false }, note: { type: 'string' } });
    expect(crisis.required).toEqual(['kind']);
    const intake = doc.components.schemas.Intake!;
    expect(intake.required).toEqual(expect.arrayContaining(['siteId', 'firstName', 'lastName', 'birthDate', 'referralSource']));
    // Dates are what the server checks: YYYY-MM-DD.
    expect(intake.properties?.birthDate).toMatchObject({ type: 'string', format: 'date' });
    expect(doc.components.schemas.signAgreementRequest!.properties?.startDate).toMatchObject({ type: 'string', format: 'date' });
    expect(JSON.stringify(doc)).not.toContain('"$schema"');
  });
});

describe('headers and limits', () => {
  it('sets the security headers and a request id, and keeps a given one', async () => {
    const res = await page(stack, '/inloggen');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-request-id')).toMatch(/.{8,}/);
    const given = await stack.app.request(`${ORIGIN}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
  });

  it('refuses a body over the limit with 413 in the error shape', async () => {
    const res = await api(stack, '/api/intakes', { token: staff.token, body: { siteId, firstName: 'x'.repeat(70_000) } });
    expect(res.status).toBe(413);
    const body = await json<{ error: { code: string; requestId: string } }>(res);
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('refuses TRACE and every other method it does not serve with 405 and Allow', async () => {
    // fetch() refuses to send TRACE, so it goes to the app served over real HTTP.
    const server = serve({ fetch: stack.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const trace = await new Promise<{ status?: number; allow?: string | string[] }>((resolve, reject) => {
        request({ host: '127.0.0.1', port, method: 'TRACE', path: '/api/participants' }, (res) => {
          res.resume();
          resolve({ status: res.statusCode, allow: res.headers.allow });
        })
          .on('error', reject)
          .end();
      });
      expect(trace).toEqual({ status: 405, allow: 'GET, HEAD, POST, OPTIONS' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await stack.app.request(`${ORIGIN}/api/participants`, { method, headers: { authorization: `Bearer ${staff.token}` } });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      expect(await json(res)).toMatchObject({ error: { code: 'method_not_allowed' } });
    }
    const pageRes = await stack.app.request(`${ORIGIN}/deelnemers`, { method: 'PUT' });
    expect(pageRes.status).toBe(405);
    expect(await pageRes.text()).toContain('Niet ondersteund');
  });

  it('answers unknown API paths with the JSON error shape and unknown pages with a Dutch page', async () => {
    const apiRes = await api(stack, '/api/nothing-here', { token: staff.token });
    expect(apiRes.status).toBe(404);
    expect(await json(apiRes)).toMatchObject({ error: { code: 'not_found', message: 'Deze pagina bestaat niet.' } });
    const pageRes = await page(stack, '/nergens', staff.token);
    expect(pageRes.status).toBe(404);
    expect(pageRes.headers.get('content-type')).toContain('text/html');
    expect(await pageRes.text()).toContain('Niet gevonden');
  });
});

describe('CSRF protection on forms', () => {
  it('refuses a form posted from another site, and one without Origin or Sec-Fetch-Site', async () => {
    for (const origin of ['https://evil.example', null]) {
      const res = await submit(stack, '/inloggen', { userId: staff.id }, { origin });
      expect(res.status, String(origin)).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toContain('Geen toegang');
    }
  });

  it('accepts a form from our own origin, and a browser saying Sec-Fetch-Site: same-origin', async () => {
    expect((await submit(stack, '/inloggen', { userId: staff.id })).status).toBe(303);
    const res = await stack.app.request(`${ORIGIN}/inloggen`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: `userId=${staff.id}`,
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
  });

  it('takes Origin: null (what a no-referrer page sends) only on the pages behind a signed link', async () => {
    const post = (path: string) =>
      stack.app.request(`${ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, body: 'a=b', redirect: 'manual' });
    // Past the CSRF check: the (made-up) link itself is what fails.
    expect((await post(`/mijn-pad/${'A'.repeat(72)}/akkoord`)).status).toBe(404);
    expect((await post(`/doorverwijzing/${'A'.repeat(72)}`)).status).toBe(404);
    expect((await post('/inloggen')).status).toBe(403);
    expect((await post('/uitloggen')).status).toBe(403);
  });

  it('guards API calls that ride on the session cookie too', async () => {
    const path = `${ORIGIN}/api/tasks/5a1e0000-0000-4000-8000-00000000dead/complete`;
    const send = (origin: string) =>
      stack.app.request(path, { method: 'POST', headers: { cookie: sessionCookie(coach.token), 'content-type': 'text/plain', origin }, body: '{}' });
    expect((await send('https://evil.example')).status).toBe(403);
    // From our own page it gets through to the route (which does not know the task).
    expect((await send(ORIGIN)).status).toBe(404);
  });

  it('leaves the JSON API to its bearer tokens', async () => {
    const res = await stack.app.request(`${ORIGIN}/api/participants`, { headers: { authorization: `Bearer ${coach.token}`, origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
  });
});

describe('sign-in (local stack) and sign-out', () => {
  it('lists the people in public.profiles to pick from, in Dutch', async () => {
    const res = await page(stack, '/inloggen');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="nl-BE">');
    expect(html).toContain('Aanmelden');
    expect(html).toContain(`value="${staff.id}"`);
    expect(html).toContain(`value="${coach.id}"`);
    expect(html).toMatch(/<label for="persoon-[^"]+">/);
  });

  it('sets an httpOnly, SameSite=Lax session cookie whose token the API accepts', async () => {
    const res = await submit(stack, '/inloggen', { userId: coach.id, terug: '/taken' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/taken');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^groeipad_session=[^;]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    const token = /^groeipad_session=([^;]+)/.exec(cookie)![1]!;
    const me = await stack.app.request(`${ORIGIN}/api/participants`, { headers: { cookie: `groeipad_session=${token}` } });
    expect(me.status).toBe(200);
  });

  it('sends a coach to their participants, and never to another site', async () => {
    const home = await submit(stack, '/inloggen', { userId: coach.id });
    expect(home.headers.get('location')).toBe('/deelnemers');
    // Browsers drop tabs and newlines and read a backslash as a slash: each of these would leave the site.
    for (const terug of ['//evil.example/', '/\t/evil.example', '/\n/evil.example', '/\\evil.example', '/x\\..\\\\evil.example', 'https://evil.example/']) {
      const away = await submit(stack, '/inloggen', { userId: coach.id, terug });
      expect(away.headers.get('location'), JSON.stringify(terug)).toBe('/deelnemers');
    }
  });

  it('re-renders with 422 and the error next to the field when nobody is picked', async () => {
    const res = await submit(stack, '/inloggen', { userId: '' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Kies wie je bent.');
    expect(html).toContain('id="aanmelden-userId-error"');
  });

  it('signs out: clears the cookie and goes back to the sign-in page', async () => {
    const res = await submit(stack, '/uitloggen', {}, { token: coach.token });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/inloggen?afgemeld');
    expect(res.headers.get('set-cookie')).toMatch(/^groeipad_session=;.*Max-Age=0/);
  });

  it('sends a visitor without a session to the sign-in page, and back after', async () => {
    const res = await page(stack, '/taken?wanneer=vandaag');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/inloggen?terug=${encodeURIComponent('/taken?wanneer=vandaag')}`);
  });

  it('has no sign-in page in production', async () => {
    const production = createApp({ config: { ...stack.config, GROEIPAD_ENV: 'production' }, db: stack.db, temporal: stack.temporal.client });
    const get = await production.request(`${ORIGIN}/inloggen`);
    expect(get.status).toBe(404);
    const post = await production.request(`${ORIGIN}/inloggen`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: `userId=${staff.id}`,
    });
    expect(post.status).toBe(404);
    expect(post.headers.get('set-cookie')).toBeNull();
    // Without a session a page sends people to the sign-in with Supabase Auth (email and code).
    const pageRes = await production.request(`${ORIGIN}/deelnemers`, { redirect: 'manual' });
    expect(pageRes.status).toBe(303);
    expect(pageRes.headers.get('location')).toBe(`/aanmelden?terug=${encodeURIComponent('/deelnemers')}`);
    // Tokens from the hosted project (same secret) still work.
    const apiRes = await production.request(`${ORIGIN}/api/participants`, { headers: { authorization: `Bearer ${coach.token}` } });
    expect(apiRes.status).toBe(200);
  });
});

describe('sign-in with Supabase Auth (email and code)', () => {
  /** The cookies a response sets, as `name=value` for the next request's Cookie header. */
  const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => !/^[^=]+=$/.test(c));
  const mailTo = (address: string) => stack.outbox.emails().filter((e) => e.to.includes(address));

  it('asks for a valid address, and answers every address alike without telling who has an account', async () => {
    const invalid = await submit(stack, '/aanmelden', { email: 'an@', terug: '/taken' });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain('Typ een geldig e-mailadres');

    const unknown = await submit(stack, '/aanmelden', { email: 'niemand@example.be' });
    const known = await submit(stack, '/aanmelden', { email: `${coach.id}@stuyfplek.test` });
    for (const res of [unknown, known]) {
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('We stuurden een code als dit adres bij ons bekend is');
    }
    expect(mailTo('niemand@example.be')).toEqual([]);
    expect(mailTo(`${coach.id}@stuyfplek.test`)).toHaveLength(1);
  });

  it('refuses a wrong code in Dutch (422), and a good one opens the page asked for', async () => {
    const email = `${staff.id}@stuyfplek.test`;
    await submit(stack, '/aanmelden', { email, terug: '/taken' });
    const code = /groeipad is: (\d{6})/.exec(mailTo(email).at(-1)!.text!)![1]!;
    const wrong = await submit(stack, '/aanmelden/code', { email, code: code === '000000' ? '111111' : '000000', terug: '/taken' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('Deze code klopt niet of is verlopen.');
    const short = await submit(stack, '/aanmelden/code', { email, code: '12 34', terug: '/taken' });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain('Typ de 6 cijfers uit de e-mail.');

    const good = await submit(stack, '/aanmelden/code', { email, code, terug: '/taken' });
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/taken');
    const set = good.headers.getSetCookie().find((c) => c.startsWith('groeipad_session='))!;
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    expect(set).toContain('Path=/');
    const tasks = await stack.app.request(`${ORIGIN}/taken`, { headers: { cookie: cookiesOf(good).join('; ') } });
    expect(tasks.status).toBe(200);
  });

  it('signs in through the link in the email (PKCE: /auth/callback?code=) to the page they wanted, once', async () => {
    const email = `${coach.id}@stuyfplek.test`;
    const asked = await submit(stack, '/aanmelden', { email, terug: '/taken?wanneer=vandaag' });
    // The code verifier and the page to return to stay in this browser's cookies.
    const jar = cookiesOf(asked);
    expect(jar.some((c) => c.startsWith('groeipad_session-code-verifier='))).toBe(true);
    const link = /(http\S+\/auth\/v1\/verify\?\S+)/.exec(mailTo(email).at(-1)!.text!)![1]!;
    const opened = await fetch(link, { redirect: 'manual' });
    const callback = new URL(opened.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${stack.config.PUBLIC_URL}/auth/callback`);

    const res = await stack.app.request(`${ORIGIN}/auth/callback${callback.search}`, { headers: { cookie: jar.join('; ') } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/taken?wanneer=vandaag');
    const tasks = await stack.app.request(`${ORIGIN}/taken`, { headers: { cookie: cookiesOf(res).join('; ') } });
    expect(tasks.status).toBe(200);

    const again = await stack.app.request(`${ORIGIN}/auth/callback${callback.search}`, { headers: { cookie: jar.join('; ') } });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toMatch(/^\/aanmelden\?fout/);
    expect(again.headers.getSetCookie().some((c) => c.startsWith('groeipad_session='))).toBe(false);
    const page = await stack.app.request(`${ORIGIN}${again.headers.get('location')}`);
    expect(await page.text()).toContain('Deze aanmeldlink werkt niet meer');
  });

  it('guards API calls riding on a session split over chunk cookies (groeipad_session.0, .1) too', async () => {
    const [name, value] = sessionCookie(coach.token).split(/=(.*)/s);
    expect(name).toBe('groeipad_session');
    const chunked = `groeipad_session.0=${value!.slice(0, 1000)}; groeipad_session.1=${value!.slice(1000)}`;
    const path = `${ORIGIN}/api/tasks/5a1e0000-0000-4000-8000-00000000dead/complete`;
    const send = (origin: string) => stack.app.request(path, { method: 'POST', headers: { cookie: chunked, 'content-type': 'text/plain', origin }, body: '{}' });
    expect((await send('https://evil.example')).status).toBe(403);
    // The chunks are one session: from our own page the call is signed in and reaches the route.
    expect((await send(ORIGIN)).status).toBe(404);
  });
});

describe('tokens', () => {
  it('treats a token with the wrong signature, an expired one, or one without a profile as no sign-in (401)', async () => {
    const wrong = await signUserToken(coach.id, 'another-secret-that-is-at-least-32-characters');
    const expired = await signUserToken(coach.id, stack.config.SUPABASE_JWT_SECRET, -60);
    const stranger = await signUserToken('00000000-0000-4000-8000-000000000000', stack.config.SUPABASE_JWT_SECRET);
    for (const token of [wrong, expired, stranger, 'not-a-jwt']) {
      const res = await api(stack, '/api/participants', { token });
      expect(res.status).toBe(401);
      expect(await json(res)).toMatchObject({ error: { code: 'unauthenticated', message: 'Meld je eerst aan.' } });
    }
  });
});
