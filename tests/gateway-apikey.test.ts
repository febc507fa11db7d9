import { sign } from 'hono/jwt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeyCheck, openGateway, type Gateway } from '../infra/supabase/gateway.js';
import { freePort } from '../infra/net.js';

const SECRET = 'a-local-jwt-secret-of-at-least-32-characters';
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('the local gateway: the apikey check', () => {
  // Every signature check goes through WebCrypto's verify (hono/jwt): counting its calls shows
  // whether a key was checked again or accepted from memory.
  const signatureChecks = () => vi.spyOn(crypto.subtle, 'verify');
  afterEach(() => vi.restoreAllMocks());

  it('accepts a key signed with the secret once checked, without checking it again until it expires', async () => {
    const key = await sign({ role: 'service_role', exp: seconds(Date.now()) + 2 }, SECRET, 'HS256');
    let frozen = Date.now();
    const remembering = apiKeyCheck(SECRET, () => frozen);
    const real = apiKeyCheck(SECRET);
    expect(await remembering.check(key)).toBe(true);
    expect(await real.check(key)).toBe(true);
    await new Promise((r) => setTimeout(r, 2_100));
    // Expired now: a gateway whose clock says it is not yet accepts it from memory, without the
    // signature check (which reads the real clock and would refuse it) ...
    expect(await remembering.check(key)).toBe(true);
    // ... and once its clock passes exp, the key is checked again, and refused.
    frozen = Date.now();
    expect(await remembering.check(key)).toBe(false);
    expect(await real.check(key)).toBe(false);
  });

  it('refuses a key signed with another secret, a malformed key, and keeps refusing them', async () => {
    const check = apiKeyCheck(SECRET);
    const foreign = await sign({ role: 'service_role' }, 'another-secret-of-at-least-32-characters!', 'HS256');
    const forever = await sign({ role: 'anon' }, SECRET, 'HS256');
    const checks = signatureChecks();
    for (let i = 0; i < 2; i += 1) {
      expect(await check.check(foreign)).toBe(false);
      // Refused before any signature check: not three parts.
      expect(await check.check('not-a-jwt')).toBe(false);
    }
    // The foreign key's signature was checked each time: a refusal is not remembered.
    expect(checks).toHaveBeenCalledTimes(2);
    // A key without exp is checked once and stays accepted.
    expect(await check.check(forever)).toBe(true);
    expect(await check.check(forever)).toBe(true);
    expect(checks).toHaveBeenCalledTimes(3);
  });

  describe('in front of PostgREST', () => {
    let gateway: Gateway;
    beforeAll(async () => {
      gateway = await openGateway({ port: 0, jwtSecret: SECRET });
      // Nothing listens there: a request that passes the apikey check gets the gateway's 502.
      gateway.route({ postgrestUrl: `http://127.0.0.1:${await freePort()}` });
    });
    afterAll(() => gateway.close());
    const get = (apikey?: string) => fetch(`http://127.0.0.1:${gateway.port}/rest/v1/sites`, { headers: apikey ? { apikey } : {} });

    it('answers 401 without a key or with a wrong one, and forwards with a right one, checked the first time only', async () => {
      expect((await get()).status).toBe(401);
      const wrong = await sign({ role: 'anon' }, 'another-secret-of-at-least-32-characters!', 'HS256');
      expect(await (await get(wrong)).json()).toEqual({ message: 'Invalid API key' });
      const right = await sign({ role: 'anon', exp: seconds(Date.now()) + 3600 }, SECRET, 'HS256');
      const checks = signatureChecks();
      for (let i = 0; i < 3; i += 1) {
        const res = await get(right);
        expect(res.status).toBe(502);
        expect(((await res.json()) as { message: string }).message).toMatch(/PostgREST is not reachable/);
      }
      expect(checks).toHaveBeenCalledTimes(1);
      expect((await get(wrong)).status).toBe(401);
    });
  });
});
