import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import pg from 'pg';
import { createApp } from '../../api/app.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { startOutbox, type Outbox } from '../../infra/mail/outbox.js';
import { freePort } from '../../infra/net.js';
import { supabaseClient, type Db } from '../../infra/supabase/client.js';
import { startLocalSupabase, type LocalSupabase } from '../../infra/supabase/local.js';
import { signUserToken } from '../../infra/supabase/tokens.js';
import { createWorker } from '../../worker/create-worker.js';
import { startDevServerForTest } from './temporal.js';

/**
 * The real stack for integration tests, on free ports and in a temporary folder so it never
 * collides with `npm run dev`: Postgres + PostgREST + gateway, the outbox (Resend's API) and the
 * Temporal dev server; the worker and the API run in this process. `stop()` stops all of it.
 */
export interface TestStack {
  config: Config;
  supabase: LocalSupabase;
  outbox: Outbox;
  temporal: TestWorkflowEnvironment;
  worker: Worker;
  app: ReturnType<typeof createApp>;
  db: Db;
  sql: pg.Pool;
  /** Creates a site. */
  site(name?: string): Promise<string>;
  /** Creates a signed-in person with a role at a site; returns their id and bearer token. */
  person(role: 'staff' | 'coach' | 'coordinator', siteId: string, email?: string): Promise<{ id: string; token: string }>;
  stop(): Promise<void>;
}

export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'groeipad-test-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    const supabase = await startLocalSupabase({ dataDir, apiPort: await freePort(), dbPort: await freePort(), log: () => {} });
    stops.push(() => supabase.stop());
    const outbox = await startOutbox({ port: 0 });
    stops.push(() => outbox.close());
    const temporal = await startDevServerForTest();
    stops.push(() => temporal.teardown());

    const config = loadConfig({
      GROEIPAD_ENV: 'test',
      SUPABASE_URL: supabase.url,
      RESEND_BASE_URL: outbox.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      GROEIPAD_CACHE_DIR: process.env.GROEIPAD_CACHE_DIR ?? join(tmpdir(), 'unused'),
      ...env,
    });
    const worker = await createWorker(config, { connection: temporal.nativeConnection });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });
    const db = supabaseClient(supabase.url, supabase.serviceRoleKey);
    const app = createApp({ config, db, temporal: temporal.client });
    const sql = new pg.Pool({ connectionString: supabase.dbUrl, max: 2 });
    stops.push(() => sql.end());

    return {
      config,
      supabase,
      outbox,
      temporal,
      worker,
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
        return { id, token: await signUserToken(id, config.SUPABASE_JWT_SECRET) };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
