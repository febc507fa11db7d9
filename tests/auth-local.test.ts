import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { decode, verifyWithJwks } from 'hono/jwt';
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutbox, type Outbox, type StoredEmail } from '../infra/mail/outbox.js';
import { freePort } from '../infra/net.js';
import { NODE_REALTIME } from '../infra/supabase/client.js';
import { startLocalSupabase, type LocalSupabase } from '../infra/supabase/local.js';
import { signUserToken } from '../infra/supabase/tokens.js';

/**
 * The local stand-in for Supabase Auth (infra/supabase/auth-server.ts), driven by the official
 * supabase-js client exactly as the app drives a hosted project: Postgres, PostgREST, the gateway
 * and the outbox are real; the codes are read from the outbox through its HTTP API.
 */

let supabase: LocalSupabase;
let outbox: Outbox;
let sql: pg.Pool;
let dataDir: string;
const EMAIL = 'an.coach@stuyfplek.test';
const USER_ID = '5a1e0000-0000-4000-8000-0000000000b1';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'groeipad-auth-'));
  outbox = await startOutbox({ port: 0 });
  supabase = await startLocalSupabase({
    dataDir,
    apiPort: 0,
    dbPort: await freePort(),
    log: () => {},
    auth: { siteUrl: 'http://localhost:3000', mail: { from: 'Stuyfplek <groeipad@stuyfplek.local>', resendBaseUrl: outbox.url } },
  });
  sql = new pg.Pool({ connectionString: supabase.dbUrl, max: 2 });
  await sql.query('insert into auth.users (id, email) values ($1, $2)', [USER_ID, EMAIL]);
});
afterAll(async () => {
  await sql?.end();
  await supabase?.stop();
  await outbox?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A browser-like client: PKCE, its own storage, no timers. */
function client(): SupabaseClient {
  const store = new Map<string, string>();
  return createClient(supabase.url, supabase.anonKey, {
    auth: {
      flowType: 'pkce',
      autoRefreshToken: false,
      persistSession: true,
      detectSessionInUrl: false,
      storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
    },
    realtime: NODE_REALTIME,
  });
}

/** The emails to an address, read from the outbox's HTTP API. */
async function mailTo(address: string): Promise<StoredEmail[]> {
  const res = await fetch(`${outbox.url}/emails.json`);
  return ((await res.json()) as StoredEmail[]).filter((e) => e.to.includes(address));
}

async function requestCode(c: SupabaseClient, redirect = 'http://localhost:3000/auth/callback') {
  const before = (await mailTo(EMAIL)).length;
  const { error } = await c.auth.signInWithOtp({ email: EMAIL, options: { shouldCreateUser: false, emailRedirectTo: redirect } });
  expect(error).toBeNull();
  const mails = await mailTo(EMAIL);
  expect(mails).toHaveLength(before + 1);
  const mail = mails.at(-1)!;
  const code = /Je aanmeldcode voor groeipad is: (\d{6})/.exec(mail.text ?? '')?.[1];
  const link = /(http\S+\/auth\/v1\/verify\?\S+)/.exec(mail.text ?? '')?.[1];
  expect(code).toMatch(/^\d{6}$/);
  expect(link).toBeTruthy();
  return { mail, code: code!, link: link! };
}

async function signIn(): Promise<{ c: SupabaseClient; session: NonNullable<Awaited<ReturnType<SupabaseClient['auth']['verifyOtp']>>['data']['session']> }> {
  const c = client();
  const { code } = await requestCode(c);
  const { data, error } = await c.auth.verifyOtp({ email: EMAIL, token: code, type: 'email' });
  expect(error).toBeNull();
  return { c, session: data.session! };
}

/** GoTrue's token endpoint, called as any client would (to see the error shape itself). */
function refreshRaw(refreshToken: string) {
  return fetch(`${supabase.url}/auth/v1/token?grant_type=refresh_token`, {
    method: 'POST',
    headers: { apikey: supabase.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
}

describe('email code (signInWithOtp, verifyOtp)', () => {
  it('mails a Dutch email with a 6-digit code and a link; the code gives a session shaped like Supabase Auth issues', async () => {
    const { c, session } = await signIn();
    const mail = (await mailTo(EMAIL)).at(-1)!;
    expect(mail.subject).toMatch(/^Je aanmeldcode voor groeipad: \d{6}$/);
    expect(mail.text).toContain('De code en de link werken één keer, gedurende een uur.');
    expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600, user: { id: USER_ID, email: EMAIL, aud: 'authenticated', role: 'authenticated' } });
    expect(session.expires_at).toBeGreaterThan(Date.now() / 1000 + 3500);
    const { header, payload } = decode(session.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(header.kid).toBeTruthy();
    expect(payload).toMatchObject({
      iss: `${supabase.url}/auth/v1`,
      sub: USER_ID,
      aud: 'authenticated',
      role: 'authenticated',
      email: EMAIL,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
    });
    expect(payload.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.amr).toEqual([{ method: 'otp', timestamp: expect.any(Number) }]);
    expect(payload.exp! - payload.iat!).toBe(3600);
    const { data: user, error } = await c.auth.getUser();
    expect(error).toBeNull();
    expect(user.user?.id).toBe(USER_ID);
  });

  it('publishes the signing key: the JWKS (no apikey needed) verifies the access token, and PostgREST accepts it', async () => {
    const { session } = await signIn();
    const res = await fetch(`${supabase.url}/auth/v1/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: HonoJsonWebKey[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: decode(session.access_token).header.kid });
    expect(keys[0]).not.toHaveProperty('d');
    const claims = await verifyWithJwks(session.access_token, { keys, allowedAlgorithms: ['ES256'], verification: { aud: 'authenticated' } });
    expect(claims.sub).toBe(USER_ID);

    const rest = (token: string) => fetch(`${supabase.url}/rest/v1/sites?select=id`, { headers: { apikey: supabase.anonKey, authorization: `Bearer ${token}` } });
    expect((await rest(session.access_token)).status).toBe(200);
    const [h, p, s] = session.access_token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decode(session.access_token).payload, role: 'service_role' })).toString('base64url')}.${s}`;
    expect(p).not.toBe(tampered.split('.')[1]);
    expect((await rest(tampered)).status).toBe(401);
    // HS256 tokens (the project's JWT secret) still work beside it: the service-role key, and a
    // person's token as the data tests and `npm run dev` sign them; one with another secret does not.
    expect((await rest(supabase.serviceRoleKey)).status).toBe(200);
    expect((await rest(await signUserToken(USER_ID, supabase.jwtSecret))).status).toBe(200);
    expect((await rest(await signUserToken(USER_ID, 'another-secret-that-is-at-least-32-characters'))).status).toBe(401);
  });

  it('sends nothing to an unknown address, and answers as GoTrue does without sign-ups', async () => {
    const stranger = 'niemand@example.be';
    const { error } = await client().auth.signInWithOtp({ email: stranger, options: { shouldCreateUser: false } });
    expect(error?.code).toBe('otp_disabled');
    expect(await mailTo(stranger)).toEqual([]);
    const { rows } = await sql.query('select 1 from auth.users where email = $1', [stranger]);
    expect(rows).toEqual([]);
  });

  it('takes a code once, refuses a wrong one and one that has expired', async () => {
    const c = client();
    const { code } = await requestCode(c);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const bad = await c.auth.verifyOtp({ email: EMAIL, token: wrong, type: 'email' });
    expect(bad.error).toMatchObject({ status: 403, code: 'otp_expired' });
    expect((await c.auth.verifyOtp({ email: EMAIL, token: code, type: 'email' })).error).toBeNull();
    const again = await client().auth.verifyOtp({ email: EMAIL, token: code, type: 'email' });
    expect(again.error).toMatchObject({ status: 403, code: 'otp_expired' });
    expect(again.data.session).toBeNull();

    // Only hashes are stored.
    const { rows } = await sql.query<{ token_hash_sha256: string }>('select token_hash_sha256 from local_stack.auth_one_time_codes');
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash_sha256) && !r.token_hash_sha256.includes(code))).toBe(true);

    // A code an hour old: the same hour passes in the database.
    const late = await requestCode(c);
    await sql.query("update local_stack.auth_one_time_codes set expires_at = now() - interval '1 second' where used_at is null");
    const expired = await c.auth.verifyOtp({ email: EMAIL, token: late.code, type: 'email' });
    expect(expired.error).toMatchObject({ status: 403, code: 'otp_expired' });
  });

  it('replaces an earlier unused code with the newest one', async () => {
    const c = client();
    const first = await requestCode(c);
    const second = await requestCode(c);
    expect((await c.auth.verifyOtp({ email: EMAIL, token: first.code, type: 'email' })).error).toMatchObject({ code: 'otp_expired' });
    expect((await c.auth.verifyOtp({ email: EMAIL, token: second.code, type: 'email' })).error).toBeNull();
  });
});

describe('refresh tokens rotate', () => {
  it('issues a new refresh token on every refresh; an old one fails afterwards (GoTrue error shape) and ends the session', async () => {
    const { c, session } = await signIn();
    const a = session.refresh_token;
    const first = await c.auth.refreshSession({ refresh_token: a });
    expect(first.error).toBeNull();
    const b = first.data.session!.refresh_token;
    expect(b).not.toBe(a);
    expect(first.data.session!.access_token).not.toBe(session.access_token);

    // Within GoTrue's reuse interval the parent of the active token gets that same active token
    // back (two requests of one page refreshing at once), never a new one.
    const reused = await refreshRaw(a);
    expect(reused.status).toBe(200);
    expect(((await reused.json()) as { refresh_token: string }).refresh_token).toBe(b);

    const second = await c.auth.refreshSession({ refresh_token: b });
    const cToken = second.data.session!.refresh_token;
    expect(cToken).not.toBe(b);

    // Now `a` is two generations old: refused, and the whole session goes with it.
    const old = await refreshRaw(a);
    expect(old.status).toBe(400);
    expect(await old.json()).toEqual({ code: 400, error_code: 'refresh_token_already_used', msg: 'Invalid Refresh Token: Already Used' });
    const afterReuse = await client().auth.refreshSession({ refresh_token: cToken });
    expect(afterReuse.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
  });

  it('refuses a refresh token it never issued', async () => {
    const res = await refreshRaw('not-a-refresh-token');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'refresh_token_not_found' });
  });
});

describe('sign-out', () => {
  it('revokes the session: its refresh token and its access token stop working', async () => {
    const { c, session } = await signIn();
    const { error } = await c.auth.signOut({ scope: 'local' });
    expect(error).toBeNull();
    const res = await refreshRaw(session.refresh_token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'refresh_token_not_found' });
    // GoTrue's answer; supabase-js turns it into AuthSessionMissingError.
    const res2 = await fetch(`${supabase.url}/auth/v1/user`, { headers: { apikey: supabase.anonKey, authorization: `Bearer ${session.access_token}` } });
    expect(res2.status).toBe(403);
    expect(await res2.json()).toMatchObject({ error_code: 'session_not_found' });
    expect((await client().auth.getUser(session.access_token)).error?.name).toBe('AuthSessionMissingError');
  });

  it('signs out everywhere with scope global, and only the other sessions with scope others', async () => {
    const one = await signIn();
    const two = await signIn();
    const three = await signIn();
    expect((await one.c.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect((await client().auth.getUser(one.session.access_token)).error).toBeNull();
    expect((await client().auth.getUser(two.session.access_token)).error?.name).toBe('AuthSessionMissingError');
    expect((await refreshRaw(three.session.refresh_token)).status).toBe(400);
    const four = await signIn();
    expect((await four.c.auth.signOut({ scope: 'global' })).error).toBeNull();
    expect((await client().auth.getUser(one.session.access_token)).error?.name).toBe('AuthSessionMissingError');
  });
});

describe('magic link with PKCE', () => {
  it('sends the browser back with ?code=, which the same client exchanges once for a session', async () => {
    const c = client();
    const { link } = await requestCode(c, 'http://localhost:3000/auth/callback');
    // The link needs no apikey: it is opened from a mailbox.
    const opened = await fetch(link, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const back = new URL(opened.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('http://localhost:3000/auth/callback');
    const code = back.searchParams.get('code');
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    // Another client (without the code verifier) cannot use it.
    expect((await client().auth.exchangeCodeForSession(code!)).error).not.toBeNull();
    const { data, error } = await c.auth.exchangeCodeForSession(code!);
    expect(error).toBeNull();
    expect(data.session?.user.id).toBe(USER_ID);
    expect(decode(data.session!.access_token).payload.amr).toEqual([{ method: 'pkce', timestamp: expect.any(Number) }]);
    // Once only: the code, and the link.
    expect((await c.auth.exchangeCodeForSession(code!)).error).not.toBeNull();
    const reopened = await fetch(link, { redirect: 'manual' });
    const failed = new URL(reopened.headers.get('location')!);
    expect(failed.searchParams.get('error_code')).toBe('otp_expired');
    expect(failed.searchParams.get('code')).toBeNull();
  });

  it('sends links only to the site URL or a loopback address', async () => {
    const { link } = await requestCode(client(), 'https://evil.example/steal');
    const opened = await fetch(link, { redirect: 'manual' });
    expect(new URL(opened.headers.get('location')!).origin).toBe('http://localhost:3000');
  });
});

describe('the admin API', () => {
  it('generates a magic link for the service role only', async () => {
    const admin = createClient(supabase.url, supabase.serviceRoleKey, { auth: { persistSession: false }, realtime: NODE_REALTIME });
    const { data, error } = await admin.auth.admin.generateLink({ type: 'magiclink', email: EMAIL });
    expect(error).toBeNull();
    expect(data.properties).toMatchObject({ verification_type: 'magiclink', email_otp: expect.stringMatching(/^\d{6}$/), hashed_token: expect.stringMatching(/^[0-9a-f]{56}$/) });
    const verified = await client().auth.verifyOtp({ token_hash: data.properties!.hashed_token, type: 'magiclink' });
    expect(verified.data.session?.user.email).toBe(EMAIL);

    const anon = createClient(supabase.url, supabase.anonKey, { auth: { persistSession: false }, realtime: NODE_REALTIME });
    const refused = await anon.auth.admin.generateLink({ type: 'magiclink', email: EMAIL });
    expect(refused.error).toMatchObject({ status: 403, code: 'not_admin' });
  });

  it('needs an apikey, like GoTrue behind Kong', async () => {
    const res = await fetch(`${supabase.url}/auth/v1/otp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL }) });
    expect(res.status).toBe(401);
  });
});
