import { createServerClient } from '@supabase/ssr';
import { SESSION_COOKIE } from '../../api/auth.js';
import { NODE_REALTIME, supabaseClient } from '../../infra/supabase/client.js';

/**
 * Real sessions for tests, from the local auth server: an admin magic link (generate_link)
 * verified by @supabase/ssr's own server client, whose cookies are what a browser would hold.
 * `sessionCookie(token)` gives the Cookie header of the session an access token belongs to.
 */

const cookiesByToken = new Map<string, string>();

export interface TestSession {
  accessToken: string;
  refreshToken: string;
  /** The Cookie header a signed-in browser sends (the library's format, chunks included). */
  cookie: string;
}

export async function signInAs(o: { supabaseUrl: string; anonKey: string; serviceRoleKey: string; email: string }): Promise<TestSession> {
  const admin = supabaseClient(o.supabaseUrl, o.serviceRoleKey);
  const link = await admin.auth.admin.generateLink({ type: 'magiclink', email: o.email });
  if (link.error) throw new Error(`generate_link for ${o.email}: ${link.error.message}`);
  const jar = new Map<string, string>();
  const ssr = createServerClient(o.supabaseUrl, o.anonKey, {
    cookies: {
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      setAll: (cookies) => {
        for (const { name, value } of cookies) {
          if (value) jar.set(name, value);
          else jar.delete(name);
        }
      },
    },
    cookieOptions: { name: SESSION_COOKIE },
    realtime: NODE_REALTIME,
  });
  const { data, error } = await ssr.auth.verifyOtp({ token_hash: link.data.properties.hashed_token, type: 'magiclink' });
  if (error || !data.session) throw new Error(`verify for ${o.email}: ${error?.message ?? 'no session'}`);
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  cookiesByToken.set(data.session.access_token, cookie);
  return { accessToken: data.session.access_token, refreshToken: data.session.refresh_token, cookie };
}

/** The session cookie for an access token that signInAs issued. */
export function sessionCookie(token: string): string {
  const cookie = cookiesByToken.get(token);
  if (!cookie) throw new Error('sessionCookie: this token does not come from signInAs (stack.person); a browser holds a whole session, not a bare token');
  return cookie;
}

/**
 * A browser's cookies for a session that signInAs issued (@supabase/ssr's format), for
 * playwright's `context.addCookies`: the browser is then signed in at `url` as that person.
 */
export function browserSessionCookies(token: string, url: string): Array<{ name: string; value: string; url: string; httpOnly: true; sameSite: 'Lax' }> {
  return sessionCookie(token)
    .split('; ')
    .map((pair) => ({ name: pair.slice(0, pair.indexOf('=')), value: pair.slice(pair.indexOf('=') + 1), url, httpOnly: true as const, sameSite: 'Lax' as const }));
}
