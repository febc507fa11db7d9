import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { decode, verify, verifyWithJwks } from 'hono/jwt';
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';
import { ApiError } from './errors.js';
import type { ApiDeps, AppEnv } from './context.js';

/**
 * Sign-in with Supabase JWTs: a bearer token (API) or the session cookie (web pages), verified
 * with the project's JWT secret. The role and site come from the person's profile, never from
 * the token's claims.
 */
export const SESSION_COOKIE = 'groeipad_session';
/** How long a session cookie lives; the token inside expires at the same time. */
export const SESSION_SECONDS = 8 * 3600;

/** Puts a signed-in person's token in the session cookie: httpOnly, SameSite Lax, Secure on https. */
export function setSessionCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.var.deps.config.PUBLIC_URL).protocol === 'https:',
    maxAge: SESSION_SECONDS,
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: new URL(c.var.deps.config.PUBLIC_URL).protocol === 'https:' });
}

/**
 * Supabase Auth signs access tokens with the project's JWT secret (HS256, the local stack and
 * older projects) or with asymmetric signing keys published as JWKS (ES256/RS256, hosted
 * projects today). The keys are fetched once and kept for ten minutes.
 */
let jwksCache: { url: string; at: number; keys: HonoJsonWebKey[] } | null = null;

async function signingKeys(url: string): Promise<HonoJsonWebKey[]> {
  if (jwksCache && jwksCache.url === url && Date.now() - jwksCache.at < 600_000) return jwksCache.keys;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`JWKS ${url}: ${res.status}`);
  const { keys } = (await res.json()) as { keys: HonoJsonWebKey[] };
  jwksCache = { url, at: Date.now(), keys };
  return keys;
}

export async function verifyAccessToken(token: string, config: ApiDeps['config']) {
  const { alg } = decode(token).header;
  if (alg === 'HS256') return verify(token, config.SUPABASE_JWT_SECRET, 'HS256');
  const url = config.SUPABASE_JWKS_URL ?? `${config.SUPABASE_URL.replace(/\/$/, '')}/auth/v1/.well-known/jwks.json`;
  return verifyWithJwks(token, { keys: await signingKeys(url), allowedAlgorithms: ['ES256', 'RS256'] });
}

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header?.startsWith('Bearer ') ? header.slice(7) : getCookie(c, SESSION_COOKIE);
    if (token) {
      try {
        const claims = await verifyAccessToken(token, c.var.deps.config);
        if (typeof claims.sub === 'string' && claims.role === 'authenticated') {
          const { data } = await c.var.deps.db.from('profiles').select('id, role, site_id, display_name').eq('id', claims.sub).maybeSingle();
          if (data) c.set('user', { id: data.id, role: data.role, siteId: data.site_id, name: data.display_name, token });
        }
      } catch {
        // An invalid or expired token is the same as none.
      }
    }
    await next();
  };
}

export type Role = 'staff' | 'coach' | 'coordinator';

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.var.user;
    if (!user) throw new ApiError('unauthenticated', 'Meld je eerst aan.');
    if (!roles.includes(user.role)) throw new ApiError('forbidden', 'Je hebt geen toegang tot deze actie.');
    await next();
  };
}
