import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLambda, handler } from '../api/lambda.js';
import { PATH_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { ConfigError, loadConfig } from '../infra/config.js';
import { freePort } from '../infra/net.js';
import { assertClusterReady, ClusterNotReadyError, INDEXED_VALUE_TYPE, type ClusterServices } from '../infra/temporal/cluster-check.js';
import { isTemporalCloud, setUpCluster } from '../infra/temporal/cluster-setup.js';
import { temporalConnectionOptions } from '../infra/temporal/connection.js';
import { startDevServerForTest, startTimeSkipping } from './support/temporal.js';
import { until } from './support/until.js';

/**
 * `npm run temporal:setup` and the start-up check of the worker and the API, against real
 * servers: a dev server started bare, as a new cluster is (no search attributes), and the
 * time-skipping server, which cannot list its attributes.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NAMES = PATH_SEARCH_ATTRIBUTES.map((k) => k.name);
const LACKS_ALL = `groeipad: Temporal namespace "default" lacks search attributes ${NAMES.join(', ')} — run: npm run temporal:setup`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command of the project in a child process, with only the Temporal settings given here. */
function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done, fail) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')));
    const child = spawn(command, args, { cwd: ROOT, env: { ...base, GROEIPAD_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Tests that start processes of the project (a few seconds each under tsx, more on a busy machine). */
const CHILDREN = 150_000;

const tsx = (entry: string, env: Record<string, string>) => run(process.execPath, ['--import', 'tsx', entry], env);

/**
 * The lines a process wrote to stderr, without the notices of dependencies about the Node
 * version: supabase-js warns on Node 20 when it loads (README, Quick start), before any of ours.
 */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !/Node\.js 20 and below are deprecated|DeprecationWarning|--trace-deprecation/.test(l));
}

/** An API Gateway HTTP API (payload 2.0) request for /health. */
function healthEvent(): Extract<LambdaEvent, { rawPath: string }> {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/health',
    rawQueryString: '',
    headers: { host: 'api.example.test' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authentication: null,
      authorizer: {} as never,
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: 'health',
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: null,
    isBase64Encoded: false,
  };
}

describe('a new cluster, without the search attributes', () => {
  let env: TestWorkflowEnvironment;
  let connection: Connection;
  let temporal: Record<string, string>;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    env = await startDevServerForTest(undefined, { searchAttributes: false });
    connection = await Connection.connect({ address: env.address });
    temporal = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
  });
  afterAll(async () => {
    await closeLambda();
    process.env = savedEnv;
    await connection?.close();
    await env?.teardown();
  });

  it('fails the check with one line naming the missing attributes and the command', async () => {
    const refusal = await assertClusterReady(connection, 'default').catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ClusterNotReadyError);
    expect(`groeipad: ${(refusal as Error).message}`).toBe(LACKS_ALL);
  });

  it('the worker process refuses to start: exit code 1, that one line on stderr', async () => {
    const worker = await tsx('worker/main.ts', temporal);
    expect(worker.code).toBe(1);
    expect(lines(worker.stderr)).toEqual([LACKS_ALL]);
    expect(worker.stdout).not.toMatch(/polling/);
  }, CHILDREN);

  it('the API server refuses to start likewise', async () => {
    const port = await freePort();
    const api = await tsx('api/server.ts', { ...temporal, PORT: String(port) });
    expect(api.code).toBe(1);
    expect(lines(api.stderr)).toEqual([LACKS_ALL]);
    expect(api.stdout).not.toMatch(/listening/);
  }, CHILDREN);

  it('the Lambda handler fails its cold start with that line, and tries again on the next invocation', async () => {
    Object.assign(process.env, { GROEIPAD_ENV: 'test', ...temporal });
    await expect(handler(healthEvent())).rejects.toThrow(LACKS_ALL.replace('groeipad: ', ''));
    await expect(handler(healthEvent())).rejects.toBeInstanceOf(ClusterNotReadyError);
  });

  it('npm run temporal:setup adds them; a second run changes nothing and says so; then the check passes', async () => {
    const first = await run('npm', ['run', '--silent', 'temporal:setup'], temporal);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`temporal: added search attributes ${NAMES.join(', ')} to namespace "default" at ${env.address}\n`);

    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(customAttributes).toEqual(Object.fromEntries(NAMES.map((name) => [name, INDEXED_VALUE_TYPE.KEYWORD])));

    const second = await tsx('infra/temporal/setup.ts', temporal);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`temporal: namespace "default" at ${env.address} already has ${NAMES.join(', ')}\ntemporal: nothing to change\n`);
    expect((await connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes).toEqual(customAttributes);

    await expect(assertClusterReady(connection, 'default')).resolves.toBeUndefined();
    // The Lambda heals without a new deployment: its next cold start passes the check.
    expect((await handler(healthEvent())).statusCode).toBe(200);
  }, CHILDREN);

  it('reports an attribute of another type, and the set-up leaves it alone', async () => {
    // A namespace of its own, where SiteId already exists as a number.
    await connection.workflowService.registerNamespace({ namespace: 'typed-otherwise', workflowExecutionRetentionPeriod: msToTs('1 day') });
    await until(
      () => connection.operatorService.addSearchAttributes({ namespace: 'typed-otherwise', searchAttributes: { SiteId: INDEXED_VALUE_TYPE.INT } }).then(() => true, () => undefined),
      'the new namespace to take a search attribute',
    );
    const line =
      'groeipad: Temporal namespace "typed-otherwise" lacks search attributes Phase, CoachId, PathStatus and has search attribute SiteId of type Int (the paths need Keyword)' +
      ' — remove or rename SiteId on the cluster, then run: npm run temporal:setup';

    const refusal = await assertClusterReady(connection, 'typed-otherwise').catch((err: unknown) => err);
    expect(`groeipad: ${(refusal as Error).message}`).toBe(line);

    const setup = await tsx('infra/temporal/setup.ts', { ...temporal, TEMPORAL_NAMESPACE: 'typed-otherwise' });
    expect(setup.code).toBe(1);
    expect(lines(setup.stderr)).toEqual([line]);
    expect((await connection.operatorService.listSearchAttributes({ namespace: 'typed-otherwise' })).customAttributes).toEqual({ SiteId: INDEXED_VALUE_TYPE.INT });
  }, CHILDREN);

  it('gives a clear line for a namespace that does not exist, from the check, the set-up and the worker', async () => {
    const line =
      'groeipad: Temporal namespace "nowhere" does not exist — create it (self-hosted: temporal operator namespace create --namespace nowhere; ' +
      'Temporal Cloud: in the Cloud UI or with tcld) or set TEMPORAL_NAMESPACE to an existing one';
    const refusal = await assertClusterReady(connection, 'nowhere').catch((err: unknown) => err);
    expect(`groeipad: ${(refusal as Error).message}`).toBe(line);

    const setup = await tsx('infra/temporal/setup.ts', { ...temporal, TEMPORAL_NAMESPACE: 'nowhere' });
    expect(setup.code).toBe(1);
    expect(lines(setup.stderr)).toEqual([line]);

    const worker = await tsx('worker/main.ts', { ...temporal, TEMPORAL_NAMESPACE: 'nowhere' });
    expect(worker.code).toBe(1);
    expect(lines(worker.stderr)).toEqual([line]);
  }, CHILDREN);
});

describe('the time-skipping server, which cannot list its search attributes', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    // The test support sets it up on start, as every workflow test's server is.
    env = await startTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('takes the set-up again without a change, and the check lets it through with a warning', async () => {
    expect(await setUpCluster(env.connection, 'default')).toEqual({ namespace: 'default', added: [], present: NAMES });
    const warnings: string[] = [];
    await assertClusterReady(env.connection, 'default', (line) => warnings.push(line));
    expect(warnings).toEqual([expect.stringMatching(/^groeipad: could not list the search attributes of Temporal namespace "default" \(UNIMPLEMENTED: .*\); starting without checking them$/)]);
  });
});

describe('a cluster that does not let these credentials add search attributes (as Temporal Cloud with some API keys)', () => {
  // Temporal Cloud is not reachable from the tests: the refusal is the gRPC error it answers with.
  const refusing = (custom: Record<string, number>): ClusterServices => ({
    workflowService: { describeNamespace: async () => ({}) },
    operatorService: {
      listSearchAttributes: async () => ({ customAttributes: custom }),
      addSearchAttributes: async () => {
        throw Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: 7, details: 'Request unauthorized.', metadata: {} });
      },
    },
  });

  it('says in one line what to add by hand: with tcld on Temporal Cloud', async () => {
    const refusal = await setUpCluster(refusing({ Phase: INDEXED_VALUE_TYPE.KEYWORD }), 'groeipad.a1b2c', { cloud: true }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ClusterNotReadyError);
    expect((refusal as Error).message).toBe(
      'Temporal refused to add search attributes to namespace "groeipad.a1b2c" (PERMISSION_DENIED: Request unauthorized.); add them by hand: ' +
        'tcld namespace search-attributes add --namespace groeipad.a1b2c --search-attribute "CoachId=Keyword" --search-attribute "SiteId=Keyword" --search-attribute "PathStatus=Keyword"' +
        " (or the namespace's Search Attributes in the Temporal Cloud UI)",
    );
    expect((refusal as Error).message).not.toMatch(/\n/);
  });

  it('and with the Temporal CLI on a self-hosted cluster', async () => {
    const refusal = await setUpCluster(refusing({}), 'paths').catch((err: unknown) => err);
    expect((refusal as Error).message).toMatch(
      /add them by hand: temporal operator search-attribute create --namespace paths --name Phase --name CoachId --name SiteId --name PathStatus --type Keyword$/,
    );
  });

  it('knows Temporal Cloud by its endpoints', () => {
    expect(isTemporalCloud('groeipad.a1b2c.tmprl.cloud:7233')).toBe(true);
    expect(isTemporalCloud('eu-west-1.aws.api.temporal.io:7233')).toBe(true);
    expect(isTemporalCloud('temporal.internal:7233')).toBe(false);
    expect(isTemporalCloud('127.0.0.1:7233')).toBe(false);
  });
});

describe('the connection settings for any cluster', () => {
  it('turns TLS on with an API key, and builds mTLS with a private CA and a server name from files', async () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'x.y.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key' }))).toEqual({ address: 'x.y.tmprl.cloud:7233', tls: true, apiKey: 'key' });
    expect(temporalConnectionOptions(loadConfig({}))).toEqual({ address: '127.0.0.1:7233' });

    const dir = await mkdtemp(join(tmpdir(), 'groeipad-tls-'));
    try {
      await writeFile(join(dir, 'client.pem'), 'CERT');
      await writeFile(join(dir, 'client.key'), 'KEY');
      await writeFile(join(dir, 'ca.pem'), 'CA');
      const options = temporalConnectionOptions(
        loadConfig({
          TEMPORAL_ADDRESS: 'temporal.internal:7233',
          TEMPORAL_TLS_CERT_PATH: join(dir, 'client.pem'),
          TEMPORAL_TLS_KEY_PATH: join(dir, 'client.key'),
          TEMPORAL_TLS_CA_PATH: join(dir, 'ca.pem'),
          TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
        }),
      );
      expect(options).toEqual({
        address: 'temporal.internal:7233',
        tls: { clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') }, serverRootCACertificate: Buffer.from('CA'), serverNameOverride: 'frontend.temporal.internal' },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses half a certificate pair and a file it cannot read, naming the setting', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/etc/temporal/client.pem' })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/etc/temporal/client.pem' })).toThrow(/TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/);
    expect(() => temporalConnectionOptions(loadConfig({ TEMPORAL_TLS_CA_PATH: '/nonexistent/ca.pem' }))).toThrow(/TEMPORAL_TLS_CA_PATH: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
  });
});
