import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretReferences, withSecretsFromExtension } from '../infra/aws-secrets.js';
import { loadConfig, SECRET_CONFIG_KEYS } from '../infra/config.js';

/**
 * The API function's secrets (infra/aws-secrets.ts), read through a stand-in for the AWS
 * Parameters and Secrets Lambda Extension on localhost: the same request the extension serves
 * (GET /secretsmanager/get?secretId=…, the session token in a header), the same answer shape.
 */

const TOKEN = 'session-token-of-the-function';
const ARN = (key: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:groeipad/production/${key}`;
const PASSPORT_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const STORE: Record<string, string> = {
  [ARN('SUPABASE_SERVICE_ROLE_KEY')]: 'service-role-key-from-the-store',
  [ARN('SUPABASE_JWT_SECRET')]: 'jwt-secret-from-the-store-0123456789abcdef',
  [ARN('SUPABASE_ANON_KEY')]: 'anon-key-from-the-store',
  [ARN('LINK_SECRET')]: 'link-secret-from-the-store-0123456789abcdef',
  [ARN('PASSPORT_SIGNING_KEY')]: PASSPORT_KEY,
  [ARN('RESEND_API_KEY')]: 're_from_the_store',
  [ARN('TEMPORAL_API_KEY')]: 'temporal-api-key-from-the-store',
  [ARN('TEMPORAL_PAYLOAD_KEYS')]: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};

let server: Server;
let port: string;
const requests: { secretId: string | null; token: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    const secretId = url.searchParams.get('secretId');
    const token = req.headers['x-aws-parameters-secrets-token'] as string | undefined;
    requests.push({ secretId, token });
    if (url.pathname !== '/secretsmanager/get' || token !== TOKEN) return void res.writeHead(401).end('not authorized');
    const value = secretId ? STORE[secretId] : undefined;
    if (value === undefined) return void res.writeHead(400).end(`ResourceNotFoundException: ${secretId} not found`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ARN: secretId, Name: secretId!.split(':secret:')[1], SecretString: value, VersionStages: ['AWSCURRENT'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = String((server.address() as AddressInfo).port);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The API function's environment as infra/deploy/stack.ts writes it, plus what Lambda sets. */
function functionEnv(): Record<string, string | undefined> {
  return {
    GROEIPAD_ENV: 'production',
    SUPABASE_URL: 'https://abcdefghijklmnop.supabase.co',
    AWS_SESSION_TOKEN: TOKEN,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: port,
    ...Object.fromEntries(SECRET_CONFIG_KEYS.map((key) => [`${key}_SECRET_ARN`, ARN(key)])),
  };
}

describe('secrets from the Parameters and Secrets extension', () => {
  it('replaces every reference by its value, and production then starts on them', async () => {
    requests.length = 0;
    const env = await withSecretsFromExtension(functionEnv());
    for (const key of SECRET_CONFIG_KEYS) {
      expect(env[key]).toBe(STORE[ARN(key)]);
      expect(env).not.toHaveProperty(`${key}_SECRET_ARN`);
    }
    expect(requests.map((r) => r.secretId).sort()).toEqual(SECRET_CONFIG_KEYS.map(ARN).sort());
    expect(requests.every((r) => r.token === TOKEN)).toBe(true);
    const config = loadConfig(env);
    expect(config.GROEIPAD_ENV).toBe('production');
    expect(config.LINK_SECRET).toBe(STORE[ARN('LINK_SECRET')]);
    expect(config.PASSPORT_SIGNING_KEY).toBe(PASSPORT_KEY.trim());
    expect(config.TEMPORAL_PAYLOAD_KEYS).toBeDefined();
  });

  it('leaves an environment without references as it is (api/server.ts, the worker, the tests)', async () => {
    const env = { GROEIPAD_ENV: 'test', LINK_SECRET: 'x'.repeat(40) };
    const fetchNever = (() => Promise.reject(new Error('no request expected'))) as unknown as typeof fetch;
    await expect(withSecretsFromExtension(env, fetchNever)).resolves.toBe(env);
  });

  it('refuses a misspelt or non-secret name, and a secret given twice', () => {
    expect(() => secretReferences({ LINK_SECRT_SECRET_ARN: ARN('x') })).toThrow(/LINK_SECRT is not a secret setting/);
    expect(() => secretReferences({ SUPABASE_URL_SECRET_ARN: ARN('x') })).toThrow(/SUPABASE_URL is not a secret setting/);
    expect(() => secretReferences({ LINK_SECRET: 'plain', LINK_SECRET_SECRET_ARN: ARN('LINK_SECRET') })).toThrow(/set either LINK_SECRET or LINK_SECRET_SECRET_ARN/);
  });

  it('fails at start, naming the secret and never a value, when the store refuses', async () => {
    const env = { ...functionEnv(), RESEND_API_KEY_SECRET_ARN: ARN('MISSING') };
    const err = await withSecretsFromExtension(env).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/RESEND_API_KEY: reading .*MISSING failed with 400: ResourceNotFoundException/);
    for (const value of Object.values(STORE)) expect(err.message).not.toContain(value);
    await expect(withSecretsFromExtension({ ...functionEnv(), AWS_SESSION_TOKEN: undefined })).rejects.toThrow(/needs AWS_SESSION_TOKEN/);
    await expect(withSecretsFromExtension({ ...functionEnv(), PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '1' })).rejects.toThrow(/extension did not answer/);
  });
});
