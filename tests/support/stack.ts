import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { EphemeralServerExecutable, TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { serve } from '@hono/node-server';
import pg from 'pg';
import { createApp } from '../../api/app.js';
import { loadConfig, type Config } from '../../infra/config.js';
import type { Logger } from '../../infra/logger.js';
import type { Tracing } from '../../infra/tracing.js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { startOutbox, type Outbox } from '../../infra/mail/outbox.js';
import { freePort } from '../../infra/net.js';
import { supabaseClient, type Db } from '../../infra/supabase/client.js';
import { startLocalSupabase, type LocalSupabase } from '../../infra/supabase/local.js';
import { signInAs } from './sessions.js';
import { createWorkers, type Workers } from '../../worker/create-worker.js';
import { dataConverterFor } from '../../infra/temporal/payload-codec.js';
import { startDevServerForTest, startTimeSkipping } from './temporal.js';
import { sharedWorkerBundle } from './workflow-bundles.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The real stack for integration tests, on free ports and in a temporary folder so it never
 * collides with `npm run dev`: Postgres + PostgREST + gateway, the outbox (Resend's API) and the
 * Temporal dev server; the API runs in this process, the worker in this process or (for fault
 * tests) in a child process that can be killed. `stop()` stops all of it.
 */
export interface TestStack {
  config: Config;
  supabase: LocalSupabase;
  outbox: Outbox;
  temporal: TestWorkflowEnvironment;
  /** The client the API uses (its own connection, so it survives a server restart). */
  client: Client;
  /** The in-process worker, when the stack runs one. */
  /** The in-process worker's two Workers (paths, emails). */
  worker: Workers;
  app: ReturnType<typeof createApp>;
  db: Db;
  sql: pg.Pool;
  /** Creates a site. */
  site(name?: string): Promise<string>;
  /**
   * Creates a signed-in person with a role at a site: a real session from the local auth server.
   * Returns their id and access token (a bearer token for the API; `sessionCookie(token)` is the
   * browser's cookie of the same session).
   */
  person(role: 'staff' | 'coach' | 'coordinator' | 'facilitator', siteId: string, email?: string): Promise<{ id: string; token: string }>;
  /** Child-process worker only: SIGKILL it, as a crash would. */
  killWorker(): void;
  /** Child-process worker only: start it (again). */
  startWorker(): void;
  /** Stops Postgres, PostgREST and the gateway for `downMs`, then starts them again on the same data and ports. */
  restartSupabase(downMs: number): Promise<void>;
  /** With `temporalDb`: stops the Temporal dev server and starts it again on the same SQLite file and port. */
  restartTemporal(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  temporalCli?: EphemeralServerExecutable;
  /** Where the worker runs; 'child' makes it killable. */
  worker?: 'in-process' | 'child' | 'none';
  /** Persist Temporal in a SQLite file on a fixed port, so the server can be restarted. */
  temporalDb?: boolean;
  /** Run on the time-skipping test server (this executable) instead of the dev server: months pass in seconds. */
  timeSkipping?: EphemeralServerExecutable;
  /** The API's logger (default: one from LOG_LEVEL on stdout); a test of the log passes one that captures. */
  logger?: Logger;
  /** Tracing (infra/tracing.ts setUpTracing): the in-process worker and the API's client trace into it. */
  tracing?: Tracing;
}

export async function startTestStack(given: Record<string, string> = {}, o: TestStackOptions = {}): Promise<TestStack> {
  // On the time-skipping server an activity in flight holds the clock: a delivery that lingers on
  // the emptied outbox would cost every test that skips months EMAIL_LINGER_SECONDS of real time
  // per email. The dev server's stacks keep the default (tests/data-email-queue.test.ts tests it).
  const env: Record<string, string> = { ...(o.timeSkipping ? { EMAIL_LINGER_SECONDS: '0' } : {}), ...given };
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'groeipad-test-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    // The outbox first: the local auth server mails its sign-in codes there.
    const outbox = await startOutbox({ port: 0 });
    stops.push(() => outbox.close());
    const early = loadConfig({ GROEIPAD_ENV: 'test', ...env });
    // apiPort 0: the gateway takes a port the moment it listens and keeps it (a restart reuses it).
    const supabaseOptions = {
      dataDir,
      apiPort: 0,
      dbPort: await freePort(),
      log: () => {},
      auth: { siteUrl: early.PUBLIC_URL, accessTokenSeconds: early.AUTH_ACCESS_TOKEN_SECONDS, mail: { from: early.EMAIL_FROM, resendBaseUrl: outbox.url } },
    };
    let supabase = await startLocalSupabase(supabaseOptions);
    stops.push(() => supabase.stop());
    supabaseOptions.apiPort = Number(new URL(supabase.url).port);

    const temporalPort = o.temporalDb ? await freePort() : undefined;
    const startTemporal = () =>
      o.timeSkipping
        ? startTimeSkipping(o.timeSkipping)
        : startDevServerForTest(o.temporalCli, temporalPort ? { persist: { port: temporalPort, dbFilename: join(dataDir, 'temporal.sqlite') } } : {});
    let temporal = await startTemporal();
    stops.push(() => temporal.teardown());

    const config = loadConfig({
      GROEIPAD_ENV: 'test',
      SUPABASE_URL: supabase.url,
      RESEND_BASE_URL: outbox.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      GROEIPAD_CACHE_DIR: process.env.GROEIPAD_CACHE_DIR ?? join(tmpdir(), 'unused'),
      // Bundled once for the whole test run, when the run made one.
      ...(sharedWorkerBundle() ? { WORKFLOW_BUNDLE_PATH: sharedWorkerBundle() } : {}),
      ...env,
    });
    // The outbox holds us to the provider's rate limit, so every test shows we keep to it.
    outbox.setRateLimit(config.EMAIL_RATE_LIMIT_PER_SECOND);
    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: dataConverterFor(config.TEMPORAL_PAYLOAD_KEYS),
      // As infra/temporal/connection.ts temporalClient: the API's starts and updates carry its trace.
      interceptors: o.tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined,
    });

    let worker: Workers | undefined;
    let child: ChildProcess | undefined;
    if ((o.worker ?? 'in-process') === 'in-process') {
      const native = await NativeConnection.connect({ address: temporal.address });
      stops.push(() => native.close());
      const inProcess = await createWorkers(config, { connection: native, tracing: o.tracing });
      const running = inProcess.run();
      stops.push(async () => {
        inProcess.shutdown();
        await running;
      });
      worker = inProcess;
    }
    const startChildWorker = () => {
      // WORKER_PROF=<dir> (benches): a CPU profile of each of the worker's threads, written when it stops.
      const profile = process.env.WORKER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WORKER_PROF}`] : [];
      child = spawn(process.execPath, [...profile, '--import', 'tsx', 'worker/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          GROEIPAD_ENV: 'test',
          SUPABASE_URL: config.SUPABASE_URL,
          RESEND_BASE_URL: config.RESEND_BASE_URL,
          TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
          TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
          ...(config.WORKFLOW_BUNDLE_PATH ? { WORKFLOW_BUNDLE_PATH: config.WORKFLOW_BUNDLE_PATH } : {}),
          ...env,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    };
    if (o.worker === 'child') {
      startChildWorker();
      stops.push(async () => {
        if (child && child.exitCode === null && child.signalCode === null) {
          // A profiled worker writes its profile as it exits: let it stop (its grace), not kill it.
          child.kill(process.env.WORKER_PROF ? 'SIGTERM' : 'SIGKILL');
          await new Promise((r) => child!.once('exit', r));
        }
      });
    }

    const db = supabaseClient(supabase.url, supabase.serviceRoleKey);
    const app = createApp({ config, db, temporal: client, logger: o.logger });
    const sql = new pg.Pool({ connectionString: supabase.dbUrl, max: 2 });
    sql.on('error', () => {}); // a restarted Postgres drops idle connections; the pool reconnects
    stops.push(() => sql.end());

    const stack: TestStack = {
      config,
      supabase,
      outbox,
      temporal,
      client,
      get worker(): Workers {
        if (!worker) throw new Error('this stack runs no in-process worker');
        return worker;
      },
      app,
      db,
      sql,
      async site(name = 'Stuyfplek Test') {
        const { rows } = await sql.query<{ id: string }>('insert into public.sites (name) values ($1) returning id', [name]);
        return rows[0]!.id;
      },
      async person(role, siteId, email) {
        const id = randomUUID();
        await sql.query('insert into auth.users (id, email) values ($1, $2)', [id, email ?? `${id}@stuyfplek.test`]);
        await sql.query('insert into public.profiles (id, site_id, role, display_name, email) values ($1, $2, $3, $4, $5)', [
          id,
          siteId,
          role,
          `${role} ${id.slice(0, 4)}`,
          email ?? `${id}@stuyfplek.test`,
        ]);
        const session = await signInAs({ supabaseUrl: supabase.url, anonKey: supabase.anonKey, serviceRoleKey: supabase.serviceRoleKey, email: email ?? `${id}@stuyfplek.test` });
        return { id, token: session.accessToken };
      },
      killWorker() {
        if (!child) throw new Error('this stack runs no child worker');
        child.kill('SIGKILL');
      },
      startWorker() {
        if (o.worker !== 'child') throw new Error('this stack runs no child worker');
        startChildWorker();
      },
      async restartSupabase(downMs) {
        await supabase.stop();
        await new Promise((r) => setTimeout(r, downMs));
        supabase = await startLocalSupabase(supabaseOptions);
        stack.supabase = supabase;
      },
      async restartTemporal(downMs = 0) {
        if (!o.temporalDb) throw new Error('restartTemporal needs temporalDb: true');
        await temporal.teardown();
        await new Promise((r) => setTimeout(r, downMs));
        temporal = await startTemporal();
        stack.temporal = temporal;
      },
      stop,
    };
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}

export type ServedStack = TestStack & { base: string };

/**
 * The stack with its app served over HTTP on a free port, and PUBLIC_URL pointing at it: for a
 * browser, and for links (in emails, in a credential's key id) followed as in production.
 * `stop()` closes the server, then the stack.
 */
export async function startServedStack(env: Record<string, string> = {}, o: TestStackOptions = {}): Promise<ServedStack> {
  // Listening before the stack starts holds the port (PUBLIC_URL needs it first); until the app
  // exists every request gets 503.
  const served: { app?: TestStack['app'] } = {};
  const server = serve({ fetch: (req, env) => (served.app ? served.app.fetch(req, env) : new Response('starting', { status: 503 })), port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const closeServer = () => new Promise((resolve) => server.close(resolve));
  const base = `http://127.0.0.1:${port}`;
  const stack = await startTestStack({ PUBLIC_URL: base, ...env }, o).catch(async (err: unknown) => {
    await closeServer();
    throw err;
  });
  served.app = stack.app;
  const stopStack = stack.stop.bind(stack);
  return Object.assign(stack, {
    base,
    async stop() {
      await closeServer();
      await stopStack();
    },
  });
}
