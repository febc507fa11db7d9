import { sign } from 'hono/jwt';

/**
 * Signs an access token shaped like Supabase Auth's (sub, role "authenticated", aud) with the
 * JWT secret (HS256). Used for the ready-made curl tokens of `npm run dev` and by tests of
 * HS256 tokens; people's sessions come from Supabase Auth (locally: infra/supabase/auth-server.ts).
 */
export function signUserToken(userId: string, secret: string, ttlSeconds = 8 * 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + ttlSeconds }, secret, 'HS256');
}
