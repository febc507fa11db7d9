import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from './config.js';
import { startOutbox } from './mail/outbox.js';
import { startSeededPaths } from './seed-paths.js';
import { waitFor } from './net.js';
import { describeStartupFailure, exitOnRefusal, StartupRefusal } from './startup.js';
import { startLocalSupabase, stopChild } from './supabase/local.js';
import { signUserToken } from './supabase/tokens.js';
import { startDevServer } from './temporal/dev-server.js';

/**
 * `npm run dev`: the whole stack on embedded defaults, no accounts and no keys. Postgres,
 * PostgREST behind the gateway, the local outbox, the Temporal dev server (SQLite file, Web UI),
 * then the worker and the API as child processes. Ctrl-C stops everything; data stays in
 * GROEIPAD_DATA_DIR (.data) for the next start.
 */

const SEEDED_STAFF = '5a1e0000-0000-4000-8000-0000000000a1';
const SEEDED_COACH = '5a1e0000-0000-4000-8000-0000000000b1';
const SEEDED_SITE = '5a1e0000-0000-4000-8000-000000000001';

const started = Date.now();
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  exitOnRefusal(err);
}
const log = (line: string) => process.stdout.write(`${line}\n`);
const stops: Array<() => Promise<unknown>> = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('\ngroeipad: stopping…');
    for (const stop of stops.reverse()) await stop().catch((err) => log(`stop: ${String(err)}`));
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void shutdown(0));

try {
  await mkdir(config.dataDir, { recursive: true });

  const childEnv: NodeJS.ProcessEnv = { ...process.env, GROEIPAD_DATA_DIR: config.dataDir };
  // The outbox first: the local auth server mails its sign-in codes there too.
  let outboxUrl: string | null = null;
  if (!config.RESEND_API_KEY) {
    // Held to the same rate limit as Resend, so the dispatcher's pacing runs as it would in production.
    const outbox = await startOutbox({ port: config.OUTBOX_PORT, dir: join(config.dataDir, 'outbox'), host: '127.0.0.1', rateLimitPerSecond: config.EMAIL_RATE_LIMIT_PER_SECOND });
    stops.push(() => outbox.close());
    outboxUrl = outbox.url;
    childEnv.RESEND_BASE_URL = outbox.url;
  }

  const supabase = await startLocalSupabase({
    dataDir: join(config.dataDir, 'supabase'),
    apiPort: new URL(config.SUPABASE_URL).port ? Number(new URL(config.SUPABASE_URL).port) : undefined,
    dbPort: config.SUPABASE_DB_PORT,
    jwtSecret: config.SUPABASE_JWT_SECRET,
    seed: true,
    auth: {
      siteUrl: config.PUBLIC_URL,
      accessTokenSeconds: config.AUTH_ACCESS_TOKEN_SECONDS,
      mail: { from: config.EMAIL_FROM, resendBaseUrl: outboxUrl ?? config.RESEND_BASE_URL, resendApiKey: config.RESEND_API_KEY },
    },
    log,
  });
  stops.push(() => supabase.stop());

  const [host, port] = config.TEMPORAL_ADDRESS.split(':');
  const temporal = await startDevServer({
    cacheDir: config.GROEIPAD_CACHE_DIR,
    dbFilename: join(config.dataDir, 'temporal.sqlite'),
    port: Number(port ?? 7233),
    uiPort: config.TEMPORAL_UI_PORT,
    log,
  });
  stops.push(() => temporal.teardown());
  if (host !== '127.0.0.1' && host !== 'localhost') log(`temporal: note, the dev server listens on 127.0.0.1, not ${host}`);

  const worker = startChild('worker', 'worker/main.ts', childEnv);
  stops.push(() => stopChild(worker));
  const api = startChild('api', 'api/server.ts', childEnv);
  stops.push(() => stopChild(api));
  await waitFor(`http://127.0.0.1:${config.PORT}/health`, { timeoutMs: 30_000, what: 'the API' });
  await startSeededPaths(config, log);

  const staffToken = await signUserToken(SEEDED_STAFF, config.SUPABASE_JWT_SECRET);
  const coachToken = await signUserToken(SEEDED_COACH, config.SUPABASE_JWT_SECRET);
  log(`
groeipad is ready (${((Date.now() - started) / 1000).toFixed(1)} s)

  Web app and API      ${config.PUBLIC_URL}        (health: /health, ready: /ready)
  Supabase API         ${supabase.url}/rest/v1/   (anon key: SUPABASE_ANON_KEY default, see README)
  Postgres             ${supabase.dbUrl.replace(/:postgres@/, ':***@')}
  Temporal             ${config.TEMPORAL_ADDRESS}  (namespace ${config.TEMPORAL_NAMESPACE})
  Temporal Web UI      http://localhost:${config.TEMPORAL_UI_PORT}
  Outbox (emails)      ${outboxUrl ?? 'Resend (RESEND_API_KEY is set)'}
  Data                 ${resolve(config.dataDir)}

  Try an intake as the seeded staff member:
    curl -s -X POST ${config.PUBLIC_URL}/api/intakes \\
      -H "Authorization: Bearer ${staffToken}" -H 'Content-Type: application/json' \\
      -d '{"siteId":"${SEEDED_SITE}","firstName":"Lotte","lastName":"Peeters","birthDate":"1990-04-12","email":"lotte@example.be","consentEmail":true,"referralSource":"ocmw","coachId":"${SEEDED_COACH}"}'
  Coach token (for the coach actions): ${coachToken}
  (ready-made HS256 tokens for curl, valid 8 hours)

  Sign in on the web pages: ${config.PUBLIC_URL}/aanmelden with a seeded address, e.g.
  an.coach@stuyfplek.local (coach), onthaal@stuyfplek.local (staff) or begeleiding@stuyfplek.local
  (facilitator: group moments and their registers); the 6-digit code arrives in
  ${outboxUrl ? `the outbox, ${outboxUrl}` : 'the mailbox (through Resend)'}. Or pick a person at ${config.PUBLIC_URL}/inloggen (local stack only).

  Ctrl-C stops everything; the data stays for the next start.
`);
} catch (err) {
  // A refusal (configuration, a folder Postgres cannot enter) is its one line; anything else keeps its stack.
  log(err instanceof StartupRefusal ? describeStartupFailure(err) : `groeipad: could not start: ${describeStartupFailure(err)}`);
  await shutdown(1);
}

function startChild(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} stopped unexpectedly (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
  return child;
}
