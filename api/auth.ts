import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { verify } from 'hono/jwt';
import { ApiError } from './errors.js';
import type { AppEnv } from './context.js';

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

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header?.startsWith('Bearer ') ? header.slice(7) : getCookie(c, SESSION_COOKIE);
    if (token) {
      try {
        const claims = await verify(token, c.var.deps.config.SUPABASE_JWT_SECRET, 'HS256');
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
