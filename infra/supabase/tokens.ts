import { sign } from 'hono/jwt';

/**
 * Signs an access token shaped like Supabase Auth's (sub, role "authenticated", aud). Used by
 * the local sign-in page and by tests; production tokens come from Supabase Auth.
 */
export function signUserToken(userId: string, secret: string, ttlSeconds = 8 * 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + ttlSeconds }, secret, 'HS256');
}
