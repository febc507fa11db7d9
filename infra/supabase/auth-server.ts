import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { sign, verify } from 'hono/jwt';
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import pg from 'pg';
import { Resend } from 'resend';

/**
 * LOCAL STACK ONLY. The part of Supabase Auth's HTTP API (GoTrue, served at /auth/v1 behind the
 * gateway) that staff sign-in uses, so supabase-js and @supabase/ssr run unchanged against the
 * local stack: email one-time codes and magic links (with PKCE), sessions with rotating refresh
 * tokens, sign-out, the signing keys, and the admin magic link. GoTrue itself cannot be installed
 * here. Hosted projects have the real one; nothing in api/ or worker/ imports this module.
 *
 * State lives in local_stack.auth_* tables (infra/supabase/bootstrap.sql), next to the auth.users
 * rows of the seed. Access tokens are signed with an ES256 key generated once and kept in the
 * database, as hosted projects sign with asymmetric keys.
 */

export interface AuthServerOptions {
  /** Postgres as the postgres superuser (the local_stack schema is not exposed through PostgREST). */
  dbUrl: string;
  /** SUPABASE_URL as clients see it: the tokens' issuer is `${supabaseUrl}/auth/v1`. */
  supabaseUrl: string;
  /** The project's JWT secret: the service-role key (HS256) is checked with it for the admin API. */
  jwtSecret: string;
  /** GoTrue's SITE_URL: where links go when redirect_to is missing or not allowed (PUBLIC_URL). */
  siteUrl: string;
  /** GoTrue's JWT_EXP: the access tokens' lifetime. */
  accessTokenSeconds: number;
  /** GoTrue's MAILER_OTP_EXP (default 1 hour): how long a code or link works. */
  otpSeconds?: number;
  /** GoTrue's SECURITY_REFRESH_TOKEN_REUSE_INTERVAL (default 10 s), see refresh() below. */
  refreshTokenReuseSeconds?: number;
  /** Where the codes are mailed: the Resend SDK, pointed at the local outbox when there is no key. */
  mail: { from: string; resendBaseUrl?: string; resendApiKey?: string };
  log?: (line: string) => void;
}

export interface AuthServer {
  /** Node request listener for requests under /auth/v1 (the gateway mounts it). */
  listener: ReturnType<typeof getRequestListener>;
  /** The public signing keys (also served at /auth/v1/.well-known/jwks.json). */
  jwks: { keys: HonoJsonWebKey[] };
  close(): Promise<void>;
}

interface UserRow {
  id: string;
  email: string | null;
  raw_app_meta_data: Record<string, unknown>;
  raw_user_meta_data: Record<string, unknown>;
  email_confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** GoTrue's error shape, as auth-js reads it without the API-version header: `{ code, error_code, msg }`. */
class AuthError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const base64url = (bytes: Buffer) => bytes.toString('base64url');

export async function startAuthServer(o: AuthServerOptions): Promise<AuthServer> {
  const log = o.log ?? (() => {});
  const issuer = `${o.supabaseUrl.replace(/\/$/, '')}/auth/v1`;
  const otpSeconds = o.otpSeconds ?? 3600;
  const reuseSeconds = o.refreshTokenReuseSeconds ?? 10;
  const db = new pg.Pool({ connectionString: o.dbUrl, max: 4 });
  db.on('error', () => {}); // a restarted Postgres drops idle connections; the pool reconnects
  const resend = new Resend(o.mail.resendApiKey ?? 're_local_outbox', o.mail.resendBaseUrl ? { baseUrl: o.mail.resendBaseUrl } : undefined);
  const key = await signingKey(db);

  const userJson = (u: UserRow) => ({
    id: u.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: u.email ?? '',
    email_confirmed_at: u.email_confirmed_at?.toISOString(),
    phone: '',
    confirmed_at: u.email_confirmed_at?.toISOString(),
    last_sign_in_at: u.last_sign_in_at?.toISOString(),
    app_metadata: { provider: 'email', providers: ['email'], ...u.raw_app_meta_data },
    user_metadata: u.raw_user_meta_data,
    identities: [],
    created_at: u.created_at.toISOString(),
    updated_at: u.updated_at.toISOString(),
    is_anonymous: false,
  });

  const userById = async (id: string, q: pg.Pool | pg.PoolClient = db) =>
    (await q.query<UserRow>('select * from auth.users where id = $1', [id])).rows[0];
  const userByEmail = async (email: string) => (await db.query<UserRow>('select * from auth.users where lower(email) = lower($1)', [email])).rows[0];

  /** A new session (signed in now) with its first refresh token. */
  async function startSession(userId: string, method: 'otp' | 'magiclink' | 'pkce') {
    const sessionId = randomUUID();
    await db.query('insert into local_stack.auth_sessions (id, user_id, amr_method) values ($1, $2, $3)', [sessionId, userId, method]);
    await db.query('update auth.users set last_sign_in_at = now(), email_confirmed_at = coalesce(email_confirmed_at, now()) where id = $1', [userId]);
    const refreshToken = newRefreshToken();
    await db.query('insert into local_stack.auth_refresh_tokens (token, session_id) values ($1, $2)', [refreshToken, sessionId]);
    return sessionResponse(userId, sessionId, refreshToken);
  }

  /** `{ access_token, token_type, expires_in, expires_at, refresh_token, user }`, as GoTrue answers. */
  async function sessionResponse(userId: string, sessionId: string, refreshToken: string, q: pg.Pool | pg.PoolClient = db) {
    const user = await userById(userId, q);
    if (!user) throw new AuthError(404, 'user_not_found', 'User not found');
    const { rows } = await q.query<{ amr_method: string; created_at: Date }>('select amr_method, created_at from local_stack.auth_sessions where id = $1', [sessionId]);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user.id,
      aud: 'authenticated',
      exp: now + o.accessTokenSeconds,
      iat: now,
      email: user.email ?? '',
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'], ...user.raw_app_meta_data },
      user_metadata: user.raw_user_meta_data,
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: rows[0]?.amr_method ?? 'otp', timestamp: Math.floor((rows[0]?.created_at.getTime() ?? Date.now()) / 1000) }],
      session_id: sessionId,
      is_anonymous: false,
    };
    return {
      access_token: await sign(claims, key.privateJwk, 'ES256'),
      token_type: 'bearer',
      expires_in: o.accessTokenSeconds,
      expires_at: claims.exp,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }

  /** The signed-in person's access token (Authorization: Bearer), with a session that still exists. */
  async function bearerSession(c: Context) {
    const token = c.req.header('authorization')?.replace(/^Bearer /i, '') ?? '';
    let claims;
    try {
      claims = await verify(token, key.publicJwk, 'ES256');
    } catch (err) {
      throw new AuthError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${(err as Error).message}`);
    }
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : '';
    const { rows } = await db.query<{ id: string; user_id: string }>('select id, user_id from local_stack.auth_sessions where id = $1', [sessionId || null]);
    if (!rows[0]) throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    return { sessionId: rows[0].id, userId: rows[0].user_id };
  }

  /** GoTrue takes redirect_to only when it is the site URL or on its allow list; the local stack also allows loopback addresses. */
  function redirectTarget(requested: string | undefined): string {
    if (requested) {
      try {
        const url = new URL(requested);
        if (requested.startsWith(o.siteUrl) || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return requested;
      } catch {
        // not a URL: the site URL
      }
    }
    return o.siteUrl;
  }

  /** Mails the code and the link through Resend (the outbox locally); retried while the outbox holds us to its rate limit. */
  async function mail(email: string, code: string, link: string): Promise<void> {
    const text = [
      'Hallo,',
      '',
      `Je aanmeldcode voor groeipad is: ${code}`,
      '',
      'Typ die code op de aanmeldpagina, of open deze link op hetzelfde toestel:',
      link,
      '',
      'De code en de link werken één keer, gedurende een uur. Heb je niet gevraagd om je aan te melden? Dan mag je deze e-mail negeren.',
    ].join('\n');
    const html = `<p>Hallo,</p><p>Je aanmeldcode voor groeipad is: <strong style="font-size:1.4em;letter-spacing:.15em">${code}</strong></p><p>Typ die code op de aanmeldpagina, of <a href="${link.replace(/&/g, '&amp;')}">meld je aan met deze link</a> op hetzelfde toestel.</p><p>De code en de link werken één keer, gedurende een uur. Heb je niet gevraagd om je aan te melden? Dan mag je deze e-mail negeren.</p>`;
    for (let attempt = 1; ; attempt += 1) {
      const { error } = await resend.emails.send({ from: o.mail.from, to: [email], subject: `Je aanmeldcode voor groeipad: ${code}`, text, html });
      if (!error) return;
      if (attempt >= 8) throw new AuthError(500, 'unexpected_failure', `Error sending magic link email: ${error.message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * A one-time code for the user: six digits for typing, and the token hash GoTrue puts in links
   * (sha224 of email + code). Only sha256 of the token hash is stored; a new code replaces the
   * user's earlier unused ones, as GoTrue keeps one per user and kind.
   */
  async function issueCode(user: UserRow, flowStateId: string | null) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const tokenHash = createHash('sha224').update(`${user.email ?? ''}${code}`).digest('hex');
    await db.query('delete from local_stack.auth_one_time_codes where user_id = $1 and used_at is null', [user.id]);
    await db.query(
      `insert into local_stack.auth_one_time_codes (user_id, token_hash_sha256, flow_state_id, expires_at)
       values ($1, $2, $3, now() + make_interval(secs => $4))`,
      [user.id, sha256(tokenHash), flowStateId, otpSeconds],
    );
    return { code, tokenHash };
  }

  /** Uses a code once: the same code (or link) never works twice, nor after it expired. */
  async function consumeCode(tokenHash: string) {
    const { rows } = await db.query<{ user_id: string; flow_state_id: string | null }>(
      `update local_stack.auth_one_time_codes set used_at = now()
       where token_hash_sha256 = $1 and used_at is null and expires_at > now()
       returning user_id, flow_state_id`,
      [sha256(tokenHash)],
    );
    if (!rows[0]) throw new AuthError(403, 'otp_expired', 'Token has expired or is invalid');
    return rows[0];
  }

  const linkFor = (tokenHash: string, redirectTo: string, type = 'magiclink') =>
    `${issuer}/verify?token=${tokenHash}&type=${type}&redirect_to=${encodeURIComponent(redirectTo)}`;

  const app = new Hono().basePath('/auth/v1');

  app.onError((err, c) => {
    if (err instanceof AuthError) {
      c.header('x-sb-error-code', err.errorCode);
      return c.json({ code: err.status, error_code: err.errorCode, msg: err.message }, err.status);
    }
    log(`auth: ${err.stack ?? String(err)}`);
    return c.json({ code: 500, error_code: 'unexpected_failure', msg: 'Unexpected failure, please check server logs for more information' }, 500);
  });
  app.notFound((c) => c.json({ code: 404, error_code: 'not_found', msg: `${c.req.method} ${c.req.path} is not served by the local auth server (see README)` }, 404));

  const body = async (c: Context): Promise<Record<string, unknown>> => {
    const parsed: unknown = await c.req.json().catch(() => ({}));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  app.get('/health', (c) => c.json({ version: 'groeipad-local', name: 'GoTrue (local stand-in)', description: 'local stack only' }));
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: [key.publicJwk] }));

  // signInWithOtp: mails a code and a link. With PKCE (code_challenge) the link ends in ?code=.
  app.post('/otp', async (c) => {
    const b = await body(c);
    const email = str(b.email)?.trim();
    if (!email) throw new AuthError(422, 'validation_failed', 'An email address is required');
    const user = await userByEmail(email);
    // Like GoTrue with create_user false: an unknown address gets no email (and this error).
    if (!user) throw new AuthError(422, 'otp_disabled', 'Signups not allowed for otp');
    const challenge = str(b.code_challenge);
    let flowStateId: string | null = null;
    if (challenge) {
      const method = (str(b.code_challenge_method) ?? 'plain').toLowerCase();
      if (method !== 's256' && method !== 'plain') throw new AuthError(400, 'validation_failed', 'code challenge method not supported');
      flowStateId = randomUUID();
      await db.query('insert into local_stack.auth_flow_states (id, user_id, code_challenge, code_challenge_method) values ($1, $2, $3, $4)', [
        flowStateId,
        user.id,
        challenge,
        method,
      ]);
    }
    const { code, tokenHash } = await issueCode(user, flowStateId);
    await mail(user.email ?? email, code, linkFor(tokenHash, redirectTarget(c.req.query('redirect_to'))));
    return c.json({});
  });

  // verifyOtp: the typed code (email + token) or a link's token_hash; answers a session.
  app.post('/verify', async (c) => {
    const b = await body(c);
    const type = str(b.type);
    if (type !== 'email' && type !== 'magiclink') throw new AuthError(400, 'validation_failed', `Verify type ${type ?? ''} is not supported by the local auth server`);
    let tokenHash = str(b.token_hash);
    if (!tokenHash) {
      const email = str(b.email)?.trim() ?? '';
      const token = str(b.token)?.trim() ?? '';
      const user = email ? await userByEmail(email) : undefined;
      tokenHash = createHash('sha224').update(`${user?.email ?? email}${token}`).digest('hex');
    }
    const used = await consumeCode(tokenHash);
    return c.json(await startSession(used.user_id, type === 'email' ? 'otp' : 'magiclink'));
  });

  // The link in the email: with PKCE, back to redirect_to with ?code= (exchanged at /token?grant_type=pkce);
  // without, with the session in the fragment (implicit flow), as GoTrue does.
  app.get('/verify', async (c) => {
    const target = new URL(redirectTarget(c.req.query('redirect_to')));
    let used;
    try {
      used = await consumeCode((c.req.query('token') ?? '').replace(/^pkce_/, ''));
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_code', err.errorCode);
      target.searchParams.set('error_description', 'Email link is invalid or has expired');
      return c.redirect(target.toString(), 303);
    }
    if (used.flow_state_id) {
      const authCode = randomUUID();
      await db.query('update local_stack.auth_flow_states set auth_code_sha256 = $2, authenticated_at = now() where id = $1', [used.flow_state_id, sha256(authCode)]);
      target.searchParams.set('code', authCode);
      return c.redirect(target.toString(), 303);
    }
    const session = await startSession(used.user_id, 'magiclink');
    const fragment = new URLSearchParams({
      access_token: session.access_token,
      expires_at: String(session.expires_at),
      expires_in: String(session.expires_in),
      refresh_token: session.refresh_token,
      token_type: 'bearer',
      type: 'magiclink',
    });
    target.hash = fragment.toString();
    return c.redirect(target.toString(), 303);
  });

  app.post('/token', async (c) => {
    const grant = c.req.query('grant_type');
    const b = await body(c);
    if (grant === 'refresh_token') return c.json(await refresh(str(b.refresh_token) ?? ''));
    if (grant === 'pkce') return c.json(await exchange(str(b.auth_code) ?? '', str(b.code_verifier) ?? ''));
    throw new AuthError(400, 'validation_failed', `unsupported_grant_type: ${grant ?? ''} (the local auth server serves refresh_token and pkce)`);
  });

  /**
   * Rotating refresh tokens, as GoTrue: each refresh revokes the token used and issues its child.
   * A revoked token is refused (refresh_token_already_used) and, as reuse suggests theft, the
   * whole session is revoked with it. The one exception is GoTrue's reuse interval: the parent of
   * the session's active token, used again within a few seconds of its revocation (two requests
   * of one page refreshing at once), gets the active token back instead of a new one. Refresh
   * tokens are stored as issued, like GoTrue does, because that answer needs the active token.
   */
  async function refresh(token: string) {
    const client = await db.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string; session_id: string; revoked: boolean; updated_at: Date; user_id: string }>(
        `select t.id, t.session_id, t.revoked, t.updated_at, s.user_id from local_stack.auth_refresh_tokens t
         join local_stack.auth_sessions s on s.id = t.session_id where t.token = $1 for update of t, s`,
        [token],
      );
      const row = rows[0];
      if (!row) throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      let next: string;
      if (row.revoked) {
        const active = await client.query<{ token: string }>('select token from local_stack.auth_refresh_tokens where session_id = $1 and not revoked and parent = $2', [
          row.session_id,
          token,
        ]);
        const withinInterval = Date.now() - row.updated_at.getTime() <= reuseSeconds * 1000;
        if (!active.rows[0] || !withinInterval) {
          await client.query('update local_stack.auth_refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and not revoked', [row.session_id]);
          await client.query('commit');
          throw new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
        }
        next = active.rows[0].token;
      } else {
        next = newRefreshToken();
        await client.query('update local_stack.auth_refresh_tokens set revoked = true, updated_at = now() where id = $1', [row.id]);
        await client.query('insert into local_stack.auth_refresh_tokens (token, session_id, parent) values ($1, $2, $3)', [next, row.session_id, token]);
        await client.query('update local_stack.auth_sessions set refreshed_at = now() where id = $1', [row.session_id]);
      }
      const session = await sessionResponse(row.user_id, row.session_id, next, client);
      await client.query('commit');
      return session;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** PKCE: the auth code from the link, once, with the verifier whose challenge /otp stored. */
  async function exchange(authCode: string, verifier: string) {
    const { rows } = await db.query<{ id: string; user_id: string; code_challenge: string; code_challenge_method: string; authenticated_at: Date }>(
      `update local_stack.auth_flow_states set used_at = now()
       where auth_code_sha256 = $1 and used_at is null and authenticated_at > now() - make_interval(secs => $2)
       returning id, user_id, code_challenge, code_challenge_method, authenticated_at`,
      [sha256(authCode), otpSeconds],
    );
    const flow = rows[0];
    if (!flow) throw new AuthError(404, 'flow_state_not_found', 'invalid flow state, no valid flow state found');
    const expected = flow.code_challenge_method === 's256' ? base64url(createHash('sha256').update(verifier).digest()) : verifier;
    if (!verifier || expected !== flow.code_challenge) throw new AuthError(403, 'bad_code_verifier', 'code challenge does not match previously saved code verifier');
    return startSession(flow.user_id, 'pkce');
  }

  app.get('/user', async (c) => {
    const { userId } = await bearerSession(c);
    const user = await userById(userId);
    if (!user) throw new AuthError(404, 'user_not_found', 'User from sub claim in JWT does not exist');
    return c.json(userJson(user));
  });

  // signOut: local ends this session, global every session of the person, others all but this one.
  // Their refresh tokens go with them, so a refresh afterwards fails.
  app.post('/logout', async (c) => {
    const scope = c.req.query('scope') ?? 'global';
    if (!['local', 'global', 'others'].includes(scope)) throw new AuthError(400, 'validation_failed', `Unsupported logout scope "${scope}"`);
    const { sessionId, userId } = await bearerSession(c);
    if (scope === 'local') await db.query('delete from local_stack.auth_sessions where id = $1', [sessionId]);
    if (scope === 'global') await db.query('delete from local_stack.auth_sessions where user_id = $1', [userId]);
    if (scope === 'others') await db.query('delete from local_stack.auth_sessions where user_id = $1 and id <> $2', [userId, sessionId]);
    return c.body(null, 204);
  });

  // admin.generateLink (service role only): the link, its code and token hash, without an email.
  app.post('/admin/generate_link', async (c) => {
    const bearer = c.req.header('authorization')?.replace(/^Bearer /i, '') ?? '';
    const claims = await verify(bearer, o.jwtSecret, 'HS256').catch(() => null);
    if (claims?.role !== 'service_role') throw new AuthError(403, 'not_admin', 'User not allowed');
    const b = await body(c);
    if (str(b.type) !== 'magiclink') throw new AuthError(422, 'validation_failed', 'The local auth server generates magiclink links only');
    const user = await userByEmail(str(b.email) ?? '');
    if (!user) throw new AuthError(404, 'user_not_found', 'User with this email not found');
    const redirectTo = redirectTarget(str(b.redirect_to) ?? c.req.query('redirect_to'));
    const { code, tokenHash } = await issueCode(user, null);
    return c.json({
      ...userJson(user),
      action_link: linkFor(tokenHash, redirectTo),
      email_otp: code,
      hashed_token: tokenHash,
      verification_type: 'magiclink',
      redirect_to: redirectTo,
    });
  });

  return {
    listener: getRequestListener(app.fetch),
    jwks: { keys: [key.publicJwk] },
    close: () => db.end(),
  };
}

function newRefreshToken(): string {
  return base64url(randomBytes(18));
}

/** The ES256 key, generated on first start and kept in the database so tokens survive a restart. */
async function signingKey(db: pg.Pool): Promise<{ privateJwk: HonoJsonWebKey; publicJwk: HonoJsonWebKey }> {
  const existing = await db.query<{ private_jwk: HonoJsonWebKey; public_jwk: HonoJsonWebKey }>(
    'select private_jwk, public_jwk from local_stack.auth_signing_keys order by created_at desc limit 1',
  );
  if (existing.rows[0]) return { privateJwk: existing.rows[0].private_jwk, publicJwk: existing.rows[0].public_jwk };
  const kid = randomUUID();
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'ES256', use: 'sig', key_ops: ['verify'] } as HonoJsonWebKey;
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid, alg: 'ES256' } as HonoJsonWebKey;
  await db.query('insert into local_stack.auth_signing_keys (kid, private_jwk, public_jwk) values ($1, $2, $3)', [kid, privateJwk, publicJwk]);
  return { privateJwk, publicJwk };
}
