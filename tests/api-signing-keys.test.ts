import { createServer, type Server } from 'node:http';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/net.js';
import { api } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Hosted Supabase projects sign access tokens with asymmetric keys published as JWKS. A token
 * signed with such a key (ES256 here, from a JWKS this test serves) signs a person in; one
 * signed with another key, for another audience or expired does not. A rotated key (an unknown
 * `kid`) makes the API fetch the key set again, once.
 */

let stack: TestStack;
let jwks: Server;
let privateJwk: JsonWebKey;
let otherPrivateJwk: JsonWebKey;
/** What the JWKS server publishes, and how often it was asked. */
let published: JsonWebKey[] = [];
let jwksRequests = 0;

async function keyPair(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const privateKey = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid, alg: 'ES256' };
  return { publicJwk, privateKey };
}

beforeAll(async () => {
  const first = await keyPair('groeipad-test-1');
  const unpublished = await keyPair('groeipad-test-1');
  privateJwk = first.privateKey;
  otherPrivateJwk = unpublished.privateKey;
  published = [first.publicJwk];
  const port = await freePort();
  jwks = createServer((_req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((r) => jwks.listen(port, '127.0.0.1', () => r()));
  stack = await startTestStack({ SUPABASE_JWKS_URL: `http://127.0.0.1:${port}/auth/v1/.well-known/jwks.json` });
});
afterAll(async () => {
  await stack?.stop();
  jwks?.close();
});

describe('sign-in with a hosted project signing key', () => {
  it('accepts a token signed with a published key, and refuses one signed with another', async () => {
    const siteId = await stack.site();
    const coach = await stack.person('coach', siteId);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: coach.id, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600 };
    const good = await sign(claims, privateJwk, 'ES256');
    const forged = await sign(claims, otherPrivateJwk, 'ES256');
    expect((await api(stack, '/api/tasks', { token: good })).status).toBe(200);
    expect((await api(stack, '/api/tasks', { token: forged })).status).toBe(401);
  });
});

describe('what a token must be', () => {
  it('refuses a token for another audience and an expired one, with either kind of key', async () => {
    const siteId = await stack.site();
    const coach = await stack.person('coach', siteId);
    const now = Math.floor(Date.now() / 1000);
    const good = { sub: coach.id, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600 };
    const secret = stack.config.SUPABASE_JWT_SECRET;
    expect((await api(stack, '/api/tasks', { token: await sign(good, secret, 'HS256') })).status).toBe(200);
    const refused = [
      await sign({ ...good, aud: 'another-app' }, privateJwk, 'ES256'),
      await sign({ ...good, aud: undefined }, privateJwk, 'ES256'),
      await sign({ ...good, iat: now - 7200, exp: now - 60 }, privateJwk, 'ES256'),
      await sign({ ...good, aud: 'another-app' }, secret, 'HS256'),
      await sign({ ...good, iat: now - 7200, exp: now - 60 }, secret, 'HS256'),
      // A token that never expires.
      await sign({ ...good, exp: undefined }, privateJwk, 'ES256'),
      await sign({ ...good, exp: undefined }, secret, 'HS256'),
    ];
    for (const token of refused) {
      const res = await api(stack, '/api/tasks', { token });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    }
  });

  it('fetches the key set again, once, for a token signed with a key it does not know yet (rotation)', async () => {
    const siteId = await stack.site();
    const coach = await stack.person('coach', siteId);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: coach.id, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600 };
    // The key set is cached now.
    expect((await api(stack, '/api/tasks', { token: await sign(claims, privateJwk, 'ES256') })).status).toBe(200);
    const before = jwksRequests;

    const rotated = await keyPair('groeipad-test-2');
    published = [...published, rotated.publicJwk];
    const res = await api(stack, '/api/tasks', { token: await sign(claims, rotated.privateKey, 'ES256') });
    expect(res.status).toBe(200);
    expect(jwksRequests).toBe(before + 1);

    // A key id nobody publishes fails, and right after a refetch it does not make us fetch again.
    const stranger = await keyPair('groeipad-test-unknown');
    expect((await api(stack, '/api/tasks', { token: await sign(claims, stranger.privateKey, 'ES256') })).status).toBe(401);
    expect(jwksRequests).toBe(before + 1);
    // Known keys keep working from the cache.
    expect((await api(stack, '/api/tasks', { token: await sign(claims, rotated.privateKey, 'ES256') })).status).toBe(200);
    expect(jwksRequests).toBe(before + 1);
  });

  it('takes a key published without its algorithm for the one its type allows; a token naming another cannot spoil it', async () => {
    const siteId = await stack.site();
    const coach = await stack.person('coach', siteId);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: coach.id, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600 };
    // The key set may have been fetched again a moment ago (the test above): past the few seconds
    // in which an unknown key id does not make the API fetch it again.
    await new Promise((r) => setTimeout(r, 5_100));
    const bare = await keyPair('groeipad-test-no-alg');
    const { alg: _alg, ...withoutAlg } = bare.publicJwk;
    published = [...published, withoutAlg];
    // A token that names RS256 for this EC key: refused, and the key still works afterwards.
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const rs256 = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'groeipad-test-no-alg' })}.${b64(claims)}.${Buffer.from('not a signature').toString('base64url')}`;
    expect((await api(stack, '/api/tasks', { token: rs256 })).status).toBe(401);
    expect((await api(stack, '/api/tasks', { token: await sign(claims, bare.privateKey, 'ES256') })).status).toBe(200);
  });
});
