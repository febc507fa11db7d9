import { createServerClient, type CookieOptions } from '@supabase/ssr';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { decode, verify } from 'hono/jwt';
import { JwtAlgorithmMismatch, JwtAlgorithmNotAllowed, JwtHeaderRequiresKid, JwtTokenInvalid, type JWTPayload } from 'hono/utils/jwt/types';
import type { CookieOptions as HonoCookieOptions } from 'hono/utils/cookie';
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';
import { NODE_REALTIME } from '../infra/supabase/client.js';
import { BriefCache } from './brief-cache.js';
import { ApiError } from './errors.js';
import type { ApiDeps, AppEnv, SignedInUser } from './context.js';

/**
 * Sign-in with Supabase Auth. API clients send an access token (Authorization: Bearer); the web
 * pages keep the session (access and refresh token) in the `groeipad_session` cookie the way
 * @supabase/ssr documents for server-rendered apps: its server client reads and writes the
 * cookies, and refreshes the session when the access token is (about to be) expired. Either way
 * we verify the access token ourselves; the role and site come from the person's profile, never
 * from the token's claims. The profile is kept per user id for PROFILE_CACHE_SECONDS (default
 * 30 s, `ProfileCache`), so a changed role or site counts within that time, not at once.
 */
export const SESSION_COOKIE = 'groeipad_session';

/** @supabase/ssr splits a big session over `groeipad_session.0`, `.1`, …; all of them are the session. */
export function isSessionCookie(name: string): boolean {
  return name === SESSION_COOKIE || /^groeipad_session\.\d+$/.test(name);
}

export function hasSessionCookie(c: Context): boolean {
  return Object.keys(getCookie(c)).some(isSessionCookie);
}

const secureCookies = (config: ApiDeps['config']) => new URL(config.PUBLIC_URL).protocol === 'https:';

/** @supabase/ssr speaks the `cookie` package's options; Hono's setCookie spells SameSite and priority its own way. */
function honoCookieOptions(o: CookieOptions): HonoCookieOptions {
  const sameSite = o.sameSite === true ? 'Strict' : o.sameSite === false ? undefined : o.sameSite;
  return {
    path: o.path ?? '/',
    domain: o.domain,
    maxAge: o.maxAge,
    expires: o.expires,
    httpOnly: o.httpOnly,
    secure: o.secure,
    sameSite: sameSite ? ((sameSite[0]!.toUpperCase() + sameSite.slice(1)) as 'Strict' | 'Lax' | 'None') : undefined,
  };
}

/**
 * The request's Supabase client for auth (one per request): reads the session from the cookies
 * and writes what changes (sign-in, refresh, sign-out) to the response, httpOnly, SameSite=Lax,
 * Secure on an https PUBLIC_URL. It talks to SUPABASE_URL exactly as to a hosted project.
 */
export function sessionClient(c: Context<AppEnv>): ReturnType<typeof createServerClient> {
  const existing = c.get('auth');
  if (existing) return existing;
  const { config } = c.var.deps;
  const client = createServerClient(config.SUPABASE_URL, config.SUPABASE_ANON_KEY, {
    cookies: {
      getAll: () => Object.entries(getCookie(c)).map(([name, value]) => ({ name, value })),
      setAll: (cookies, headers) => {
        for (const { name, value, options } of cookies) setCookie(c, name, value, honoCookieOptions(options));
        // No cache may keep a response that sets someone's session.
        for (const [name, value] of Object.entries(headers)) c.header(name, value);
      },
    },
    cookieOptions: { name: SESSION_COOKIE, path: '/', sameSite: 'lax', httpOnly: true, secure: secureCookies(config), maxAge: config.SESSION_COOKIE_SECONDS },
    realtime: NODE_REALTIME,
  });
  c.set('auth', client);
  return client;
}

/** Clears every session cookie the request carried (sign-out, also when the auth server could not be reached). */
export function clearSessionCookies(c: Context<AppEnv>): void {
  const secure = secureCookies(c.var.deps.config);
  const names = Object.keys(getCookie(c))
    .filter(isSessionCookie)
    .sort();
  for (const name of names) setCookie(c, name, '', { path: '/', maxAge: 0, httpOnly: true, sameSite: 'Lax', secure });
}

/**
 * Supabase Auth signs access tokens with the project's JWT secret (HS256, older projects and the
 * ready-made tokens of `npm run dev`) or with asymmetric signing keys published as JWKS (ES256/
 * RS256: hosted projects today, and the local auth server). The keys are kept for ten minutes; a
 * token with a key id we do not know makes us fetch them again once (a rotated key), at most
 * every few seconds so that made-up key ids cannot make us hammer the auth server.
 */
const JWKS_TTL_MS = 600_000;
const JWKS_FORCED_REFETCH_MS = 5_000;
let jwksCache: { url: string; at: number; keys: HonoJsonWebKey[] } | null = null;
let lastForcedFetch = 0;

async function fetchKeys(url: string): Promise<HonoJsonWebKey[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`JWKS ${url}: ${res.status}`);
  const { keys } = (await res.json()) as { keys: HonoJsonWebKey[] };
  jwksCache = { url, at: Date.now(), keys };
  return keys;
}

async function signingKeys(url: string, kid: string | undefined): Promise<HonoJsonWebKey[]> {
  const cached = jwksCache && jwksCache.url === url && Date.now() - jwksCache.at < JWKS_TTL_MS ? jwksCache.keys : await fetchKeys(url);
  if (kid === undefined || cached.some((k) => k.kid === kid) || Date.now() - lastForcedFetch < JWKS_FORCED_REFETCH_MS) return cached;
  lastForcedFetch = Date.now();
  return fetchKeys(url);
}

/**
 * The keys as WebCrypto keys, imported once per key rather than once per request (an import
 * was a tenth of the API's CPU): per JWK object of the cached key set, so a fetched set brings
 * its keys in afresh; the JWT secret per its text.
 */
const importedKeys = new WeakMap<HonoJsonWebKey, Promise<CryptoKey>>();
let importedSecret: { secret: string; key: Promise<CryptoKey> } | null = null;
const ASYMMETRIC = { ES256: { name: 'ECDSA', namedCurve: 'P-256' }, RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } } as const;

/** The algorithm a key's type allows: a token may not pick another one for the key (RFC 7517 makes a JWK's `alg` optional). */
const KEY_TYPE_ALG: Record<string, keyof typeof ASYMMETRIC> = { EC: 'ES256', RSA: 'RS256' };

function publicKey(jwk: HonoJsonWebKey, alg: keyof typeof ASYMMETRIC): Promise<CryptoKey> {
  let key = importedKeys.get(jwk);
  if (!key) {
    key = crypto.subtle.importKey('jwk', jwk as JsonWebKey, ASYMMETRIC[alg], false, ['verify']);
    importedKeys.set(jwk, key);
    // A key that could not be imported is tried again with the next token, not refused for good.
    key.catch(() => importedKeys.delete(jwk));
  }
  return key;
}

function secretKey(secret: string): Promise<CryptoKey> {
  if (importedSecret?.secret !== secret) {
    importedSecret = { secret, key: crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']) };
  }
  return importedSecret.key;
}

/**
 * Tokens whose signature and audience were checked, until they expire (at most a minute): a
 * client sends the same access token with every request, and checking an ES256 signature again
 * took most of a millisecond each time. Bounded: past 1,000 tokens the oldest goes.
 */
const verifiedTokens = new Map<string, { claims: JWTPayload; until: number; config: ApiDeps['config'] }>();
const VERIFIED_TOKEN_MAX_MS = 60_000;

/** Signature, `exp` (required) and `aud: authenticated` (a token for another audience signs nobody in here). */
export async function verifyAccessToken(token: string, config: ApiDeps['config'], now = Date.now()): Promise<JWTPayload> {
  const known = verifiedTokens.get(token);
  // Checked against this configuration's keys (one process may serve several, as tests do).
  if (known && now < known.until && known.config === config) return known.claims;
  verifiedTokens.delete(token);
  const claims = await verifySignature(token, config);
  // Supabase's access tokens always expire; one that never does signs nobody in.
  if (typeof claims.exp !== 'number') throw new JwtTokenInvalid(token);
  const until = Math.min(now + VERIFIED_TOKEN_MAX_MS, claims.exp * 1000);
  if (until > now) {
    if (verifiedTokens.size >= 1000) verifiedTokens.delete(verifiedTokens.keys().next().value!);
    verifiedTokens.set(token, { claims, until, config });
  }
  return claims;
}

async function verifySignature(token: string, config: ApiDeps['config']): Promise<JWTPayload> {
  const { header } = decode(token);
  const verification = { aud: 'authenticated' };
  if (header.alg === 'HS256') return verify(token, await secretKey(config.SUPABASE_JWT_SECRET), { alg: 'HS256', ...verification });
  // The checks of hono's verifyWithJwks: a key id, an asymmetric algorithm we accept, a key of that
  // id and algorithm (its own, or the one its type allows).
  if (!header.kid) throw new JwtHeaderRequiresKid(header);
  if (header.alg !== 'ES256' && header.alg !== 'RS256') throw new JwtAlgorithmNotAllowed(header.alg, ['ES256', 'RS256']);
  const url = config.SUPABASE_JWKS_URL ?? `${config.SUPABASE_URL.replace(/\/$/, '')}/auth/v1/.well-known/jwks.json`;
  const jwk = (await signingKeys(url, header.kid)).find((k) => k.kid === header.kid);
  if (!jwk) throw new JwtTokenInvalid(token);
  const alg = jwk.alg ?? KEY_TYPE_ALG[jwk.kty ?? ''];
  if (alg !== header.alg) throw new JwtAlgorithmMismatch(alg ?? jwk.kty ?? 'unknown', header.alg);
  return verify(token, await publicKey(jwk, header.alg), { alg: header.alg, ...verification });
}

type Profile = Omit<SignedInUser, 'token'>;

/**
 * The profiles (role, site, name) of people who signed in, kept per user id so that a request
 * does not look its sender up in the database. An account that gets its profile is signed in with
 * it on its next request (only found profiles are kept); a changed role, site or name counts once
 * the entry is older than PROFILE_CACHE_SECONDS.
 */
export class ProfileCache extends BriefCache<Profile> {}

/**
 * Who is asking: a bearer token (API clients) or the session in the cookies, refreshed by the
 * SSR client when needed. Sets `user` when the token is good and the person has a profile, and
 * `account` when the token is good but there is no profile yet (the pages say so). The profile
 * comes from `profiles` (kept briefly, see ProfileCache).
 */
export function authenticate(profiles: ProfileCache): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let token: string | undefined;
    if (header?.startsWith('Bearer ')) token = header.slice(7);
    else if (hasSessionCookie(c)) {
      try {
        const { data } = await sessionClient(c).auth.getSession();
        token = data.session?.access_token;
      } catch {
        // The auth server could not be reached: no session for this request, the cookies stay.
      }
    }
    if (token) {
      try {
        const claims = await verifyAccessToken(token, c.var.deps.config);
        if (typeof claims.sub === 'string' && claims.role === 'authenticated') {
          const profile = await profiles.get(claims.sub, async (id) => {
            const { data } = await c.var.deps.db.from('profiles').select('id, role, site_id, display_name').eq('id', id).maybeSingle();
            return data && { id: data.id, role: data.role, siteId: data.site_id, name: data.display_name };
          });
          if (profile) c.set('user', { ...profile, token });
          else if (!header) c.set('account', { id: claims.sub, email: typeof claims.email === 'string' ? claims.email : '' });
        }
      } catch {
        // An invalid or expired token is the same as none.
      }
    }
    await next();
  };
}

export type Role = 'staff' | 'coach' | 'coordinator' | 'facilitator';

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.var.user;
    if (!user) throw new ApiError('unauthenticated', 'Meld je eerst aan.');
    if (!roles.includes(user.role)) throw new ApiError('forbidden', 'Je hebt geen toegang tot deze actie.');
    await next();
  };
}
