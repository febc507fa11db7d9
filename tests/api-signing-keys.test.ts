import { createServer, type Server } from 'node:http';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/net.js';
import { api } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Hosted Supabase projects sign access tokens with asymmetric keys published as JWKS. A token
 * signed with such a key (ES256 here, from a JWKS this test serves) signs a person in; one
 * signed with another key does not.
 */

let stack: TestStack;
let jwks: Server;
let privateJwk: JsonWebKey;
let otherPrivateJwk: JsonWebKey;

async function keyPair(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const privateKey = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid, alg: 'ES256' };
  return { publicJwk, privateKey };
}

beforeAll(async () => {
  const published = await keyPair('groeipad-test-1');
  const unpublished = await keyPair('groeipad-test-1');
  privateJwk = published.privateKey;
  otherPrivateJwk = unpublished.privateKey;
  const port = await freePort();
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [published.publicJwk] })));
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
