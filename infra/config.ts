import { createPrivateKey } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AGREEMENT_CHOICES } from '../domain/codes.js';
import { parseSpan } from '../domain/calendar.js';
import { pathTimingsSchema } from '../domain/timings-schema.js';
import type { PathTimings } from '../domain/timings.js';
import { StartupRefusal } from './startup.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import { LOCAL_SUPABASE } from './supabase/local-defaults.js';
import { payloadKeysSchema } from './temporal/payload-codec.js';

/**
 * All configuration, parsed once from the environment with one schema. Every default is the
 * local stack's, so `npm run dev` needs no accounts and no keys; production sets the variables
 * listed in the README.
 */

const span = z.string().transform((text, ctx) => {
  try {
    return parseSpan(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** The local stack's link secret: public, like the demo keys, so production refuses it. */
const LOCAL_LINK_SECRET = 'local-link-secret-for-development-only-0123456789';

/**
 * The local stack's key for signing growth passports (ES256, P-256, PKCS#8): public, like the
 * demo keys, so production refuses it. A passport signed with it proves nothing outside a
 * developer's machine.
 */
const LOCAL_PASSPORT_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfukJ9Qa0j9P7A3Yx',
  'xPUd9szz8fwqAaqoboboAUXP5WyhRANCAARTsTkgeBVDaoW2KL1cn9VzdUJp6V/7',
  'xqzVEb56eRDaTwHHfoCRKQD5XRe8NlPzJjLUbzuSsg9n2Llm5BW4vgoV',
  '-----END PRIVATE KEY-----',
].join('\n');

/** A PEM from an environment variable, where newlines are often written as "\n". */
const pem = z
  .string()
  .transform((text) => text.replace(/\\n/g, '\n').trim())
  .pipe(
    z.string().refine(
      (text) => {
        try {
          return createPrivateKey(text).asymmetricKeyDetails?.namedCurve === 'prime256v1';
        } catch {
          return false;
        }
      },
      { message: 'expected a PKCS#8 PEM private key on the P-256 curve (-----BEGIN PRIVATE KEY-----)' },
    ),
  );

/** Public keys of earlier passport keys, still published so that passports signed with them keep verifying. */
const publicJwks = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON array of public JWKs' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z
        .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(1), y: z.string().min(1), kid: z.string().min(1) })
        .loose()
        .refine((jwk) => !('d' in jwk), { message: 'a published key must not hold its private part ("d")' }),
    ),
  );

const port = z.coerce.number().int().min(1).max(65535);

/** A five-field cron expression (minute hour day-of-month month day-of-week), as Temporal Schedules take it. */
const cron = z
  .string()
  .trim()
  .regex(/^\S+(\s+\S+){4}$/, { message: 'expected a cron expression with five fields, e.g. "0 8 * * *"' });

export const configSchema = z.object({
  GROEIPAD_ENV: z.enum(['development', 'test', 'production']).default('development'),
  GROEIPAD_DATA_DIR: z.string().default('.data'),
  GROEIPAD_CACHE_DIR: z.string().default(join(homedir(), '.cache', 'groeipad')),
  /** Interface the API listens on; 0.0.0.0 in a container behind a proxy. */
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  /** The JSON log's level (API, worker, activities); default info, warn under GROEIPAD_ENV=test so test output stays readable. */
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  /**
   * The bearer token a scraper sends for the API's GET /metrics; unset, the API serves no
   * metrics (its request counts are nobody's business on the open internet).
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * An OpenTelemetry collector's OTLP/HTTP base URL (spans go to <url>/v1/traces); unset, nothing
   * is traced. OTEL_EXPORTER_OTLP_HEADERS (e.g. an API key) is read by the exporter itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),

  SUPABASE_URL: z.url().default(`http://127.0.0.1:${LOCAL_SUPABASE.apiPort}`),
  SUPABASE_ANON_KEY: z.string().min(1).default(LOCAL_SUPABASE.anonKey),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).default(LOCAL_SUPABASE.serviceRoleKey),
  SUPABASE_JWT_SECRET: z.string().min(32).default(LOCAL_SUPABASE.jwtSecret),
  SUPABASE_DB_PORT: port.default(LOCAL_SUPABASE.dbPort),
  /** Where a hosted project publishes its signing keys; default: SUPABASE_URL/auth/v1/.well-known/jwks.json. */
  SUPABASE_JWKS_URL: z.url().optional(),
  /**
   * Local stack only: the lifetime of the access tokens the local auth server issues (Supabase
   * Auth's "JWT expiry", 3600 s by default). Tests make it a few seconds to see sessions refresh.
   */
  AUTH_ACCESS_TOKEN_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** How long the browser keeps a staff session's cookies: a shared computer at the desk does not stay signed in for months. */
  SESSION_COOKIE_SECONDS: z.coerce.number().int().min(300).default(8 * 3600),

  /** Signs the links of people without an account (participant page, partner referral); at least 32 characters. */
  LINK_SECRET: z.string().min(32).default(LOCAL_LINK_SECRET),
  /** How long a participant's page link works. */
  PARTICIPANT_LINK_VALIDITY: span.default(parseSpan('30 days')),
  /**
   * An email to a participant carries the link the system made for an earlier email while that
   * link still works at least this long; else a new one (so a link in an email works for weeks).
   */
  PARTICIPANT_LINK_REUSE_MIN_LEFT: span.default(parseSpan('3 weeks')),
  /**
   * Seconds the API keeps a signed-in person's profile (role, site, name) instead of reading it
   * for every request; a changed role counts within this time. 0: read it on every request.
   */
  PROFILE_CACHE_SECONDS: z.coerce.number().min(0).max(600).default(30),
  /**
   * How long the API keeps a participant's site, coach and erasure for coach actions instead of
   * reading them per action. A coach changed or a path forgotten through this API process counts
   * at once; through another process within this time. 0: read them on every action.
   */
  ACCESS_CACHE_SECONDS: z.coerce.number().min(0).max(60).default(10),
  /** How long a partner's referral link works. */
  REFERRAL_LINK_VALIDITY: span.default(parseSpan('21 days')),
  /**
   * An ESF+ entry record still incomplete after the intake: staff get a task to complete it,
   * due this long after the intake (at LOCAL_HOUR, Brussels).
   */
  ESF_ENTRY_GRACE: span.default(parseSpan('2 weeks')),

  /** The organisation's key that signs growth passports (Open Badges 3.0, VC-JWT, ES256): a PKCS#8 PEM of a P-256 private key. */
  PASSPORT_SIGNING_KEY: pem.default(LOCAL_PASSPORT_KEY),
  /** The key's id (in every passport's `kid`): a new key gets a new id. */
  PASSPORT_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'letters, digits, ".", "_" and "-" only (at most 64)' })
    .default('local-development-1'),
  /** Earlier keys' public JWKs (JSON array, with their kid), still published so older passports keep verifying. */
  PASSPORT_PREVIOUS_KEYS: publicJwks.default([]),
  /** The issuer's name in every passport: the organisation behind the Stuyfplekken. */
  PASSPORT_ISSUER_NAME: z.string().trim().min(1).default('Stuyfplek'),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Temporal Cloud API key; turns TLS on. */
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: z.stringbool().optional(),
  /** mTLS client certificate and its key (PEM files), always set together; turn TLS on. */
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  /** The CA that signed a self-hosted cluster's server certificate, when it is not a public one (PEM file); turns TLS on. */
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  /** The name the server certificate is checked against, when it differs from TEMPORAL_ADDRESS's host; turns TLS on. */
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_TASK_QUEUE: z.string().default('groeipad-paths'),
  /**
   * The email dispatcher's own task queue, polled by a second Worker in every worker process, so
   * that a backlog of path tasks (10,000 timers due in one minute) cannot hold up the sending.
   * Default: the path queue's name with "-emails".
   */
  TEMPORAL_EMAIL_TASK_QUEUE: z.string().optional(),
  TEMPORAL_UI_PORT: port.default(8233),
  /**
   * Encrypted payloads (infra/temporal/payload-codec.ts): comma-separated `id:base64key` pairs of
   * 32-byte AES keys, the encrypting one first. Unset: payloads go to Temporal as JSON.
   */
  TEMPORAL_PAYLOAD_KEYS: payloadKeysSchema.optional(),
  /** Where `npm run temporal:codec` listens (on 127.0.0.1) for the Temporal Web UI. */
  TEMPORAL_CODEC_PORT: port.default(8888),
  /** Web UI origins allowed to call the codec endpoint (comma-separated). */
  TEMPORAL_CODEC_ORIGINS: z
    .string()
    .default('http://localhost:8233,https://cloud.temporal.io')
    .transform((text) => text.split(',').map((o) => o.trim()).filter(Boolean)),
  /**
   * Paths wait for months: the worker's memory is bounded by this cache, not by the number of
   * paths. A cached path holds about 0.15 MB of the workflow thread's heap (`npm run bench --
   * --only cacheheap`; checkHeapForCache in worker/create-worker.ts counts 0.2 MB), so 300 keeps
   * the worker under 400 MB with its heap flags (worker/launch.ts) while a wave of paths whose
   * timers fire together mostly finds them cached; a miss costs one replay of a history that
   * continue-as-new keeps short. At least 2: a path's local activity needs it cached.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).default(300),
  /**
   * The paths Worker's workflow threads (the SDK's workflowThreadPoolSize): workflow tasks and
   * replays run there, each thread an isolate with its own heap. On this project's two-core
   * machine, with everything else on it too, 2 drained the 2,000-path burst in 5.9× the
   * rate-limit-bound time instead of 7.8×, but peaked at 450 MB instead of 371 MB with 10,000
   * open paths (README, Performance): 1 keeps a worker under 400 MB; a worker with cores and
   * memory of its own can take one thread per core.
   */
  WORKER_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * The Temporal UI's "Stack Trace" of a path (the `__stack_trace` query). The SDK collects it with
   * a promise hook that captures and formats a stack for every promise a workflow makes, in every
   * replay too: more than half of a replay's time (README, "The SDK patch"). A path's stack is its main loop
   * waiting for the next action or deadline, so it is off; turn it on to look into a path that
   * seems stuck. The switch is ours (infra/patches; the SDK 1.24 has none).
   */
  WORKER_WORKFLOW_STACK_TRACES: z.stringbool().default(false),
  /**
   * Seconds one call into a workflow's sandbox may run before the SDK fails the workflow task as
   * a deadlock (its isolateExecutionTimeout), so that a workflow that loops forever fails its task
   * instead of holding the workflow thread. Node watches each such call with a thread it starts
   * and joins (about three calls per activation): a fifth of a replay, two fifths once the
   * stack-trace hook is off (README, "The SDK patch"). 0
   * turns the watch off (infra/patches), and a loop bug would then hold the thread.
   */
  WORKER_WORKFLOW_DEADLOCK_SECONDS: z.coerce.number().min(0).max(60).default(5),
  /**
   * Seconds a worker told to stop (SIGTERM, a deploy) keeps finishing what it started — workflow
   * tasks, the local activities that write a path's records, an email batch — before it cancels
   * what is left and exits; a forced exit follows 10 s later. The platform's stop timeout must be
   * longer (infra/deploy).
   */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** A workflow bundle built ahead of time (`npm run build:workflows`); without it the worker bundles at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /**
   * Where the worker serves its Prometheus metrics (the Temporal SDK's and the outbox's) on
   * 0.0.0.0, at /metrics; 0 = off.
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Seconds between two readings of the outbox for its gauges (depth, oldest waiting email). */
  OUTBOX_METRICS_SECONDS: z.coerce.number().min(1).default(15),
  /** Seconds between two lines of the worker's memory use in the log (RSS, V8 heap, cache); 0 = off. */
  WORKER_MEMORY_LOG_SECONDS: z.coerce.number().min(0).default(0),

  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.url().optional(),
  EMAIL_FROM: z.string().default('Stuyfplek <groeipad@stuyfplek.local>'),
  OUTBOX_PORT: port.default(54324),
  /** Calls to the email provider per second: Resend's default limit per team is 2. */
  EMAIL_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(2),
  /** Emails per call to Resend's batch endpoint (at most 100). */
  EMAIL_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  /** How long the dispatcher keeps looking at an emptied queue before it sleeps (and must be woken by a signal). */
  EMAIL_LINGER_SECONDS: z.coerce.number().min(0).max(60).default(2),
  /** How often each worker asks the database whether an email waits with the dispatcher asleep (worker/dispatcher-watch.ts). */
  EMAIL_DISPATCH_WATCH_SECONDS: z.coerce.number().min(1).default(60),

  AGREEMENT_LENGTH: span.default(parseSpan('12 months')),
  EVALUATION_LEAD: span.default(parseSpan('1 month')),
  CHECK_IN_AFTER: span.default(parseSpan('6 weeks')),
  REACH_OUT_AFTER: span.default(parseSpan('4 weeks')),
  REFERRAL_FOLLOW_UP_AFTER: span.default(parseSpan('2 weeks')),
  AFTERCARE_AFTER: span.default(parseSpan('3 months')),
  /** After the reconnect task, how long the path waits for the conversation (default in domain/timings.ts: 4 weeks). */
  AFTERCARE_GRACE: span.optional(),
  /** ESF+: the window after a leaving in which its result counts (default in domain/timings.ts: 28 days). */
  ESF_RESULT_WINDOW: span.optional(),
  /** ESF+: the follow-up after a leaving (default in domain/timings.ts: 6 months). */
  ESF_FOLLOW_UP_AFTER: span.optional(),
  /** A move back to orientation with a running agreement: what the form proposes and the API does when none is chosen. */
  AGREEMENT_ON_MOVE_BACK: z.enum(AGREEMENT_CHOICES).default('pause'),
  LOCAL_HOUR: z.coerce.number().int().min(0).max(23).default(9),

  // Temporal Schedules, created by the worker at start (worker/schedules.ts).
  SCHEDULE_TIME_ZONE: z.string().default('Europe/Brussels'),
  /** The yearly meet & greet invitation: 1 September at 9:00. */
  MEET_AND_GREET_CRON: cron.default('0 9 1 9 *'),
  /** How long after the invitation the meet & greet takes place (the date in the email). */
  MEET_AND_GREET_LEAD: span.default(parseSpan('4 weeks')),
  /** The coaches' digest of due and overdue tasks: every day at 8:00. */
  DIGEST_CRON: cron.default('0 8 * * *'),
});

/**
 * The variables that hold secrets: in production they come from a secret store, never from a
 * file, a template or a plain environment entry (infra/deploy/stack.ts; docs/runbook.md, step 1).
 */
export const SECRET_CONFIG_KEYS = [
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_JWT_SECRET',
  'SUPABASE_ANON_KEY',
  'LINK_SECRET',
  'PASSPORT_SIGNING_KEY',
  'RESEND_API_KEY',
  'TEMPORAL_API_KEY',
  'TEMPORAL_PAYLOAD_KEYS',
] as const satisfies readonly (keyof typeof configSchema.shape)[];

export type SecretConfigKey = (typeof SECRET_CONFIG_KEYS)[number];

export type Config = z.infer<typeof configSchema> & {
  dataDir: string;
  timings: PathTimings;
  /** TEMPORAL_EMAIL_TASK_QUEUE or its default. */
  emailTaskQueue: string;
  /** LOG_LEVEL or its default. */
  logLevel: LogLevel;
};

export class ConfigError extends StartupRefusal {}

/**
 * The local sign-in page (pick a seeded person) lets anyone be anyone: only outside production
 * and only while the project runs on the local stack's public JWT secret, so a deployment that
 * forgets GROEIPAD_ENV but has its own secret never offers it.
 */
export function localSignInAllowed(config: Pick<Config, 'GROEIPAD_ENV' | 'SUPABASE_JWT_SECRET'>): boolean {
  return config.GROEIPAD_ENV !== 'production' && config.SUPABASE_JWT_SECRET === LOCAL_SUPABASE.jwtSecret;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (Boolean(c.TEMPORAL_TLS_CERT_PATH) !== Boolean(c.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH: an mTLS client certificate needs both, the certificate and its key');
  }
  if (c.GROEIPAD_ENV === 'production') {
    const local = [
      c.SUPABASE_JWT_SECRET === LOCAL_SUPABASE.jwtSecret && 'SUPABASE_JWT_SECRET',
      c.SUPABASE_SERVICE_ROLE_KEY === LOCAL_SUPABASE.serviceRoleKey && 'SUPABASE_SERVICE_ROLE_KEY',
      c.SUPABASE_ANON_KEY === LOCAL_SUPABASE.anonKey && 'SUPABASE_ANON_KEY',
      c.LINK_SECRET === LOCAL_LINK_SECRET && 'LINK_SECRET',
      c.PASSPORT_SIGNING_KEY === LOCAL_PASSPORT_KEY && 'PASSPORT_SIGNING_KEY',
    ].filter(Boolean);
    if (local.length) throw new ConfigError(`Invalid configuration:\n  production must not run on the local stack's public demo keys: set ${local.join(', ')}`);
  }
  const timings = pathTimingsSchema.parse({
    agreementLength: c.AGREEMENT_LENGTH,
    evaluationLead: c.EVALUATION_LEAD,
    checkInAfter: c.CHECK_IN_AFTER,
    reachOutAfter: c.REACH_OUT_AFTER,
    referralFollowUpAfter: c.REFERRAL_FOLLOW_UP_AFTER,
    aftercareAfter: c.AFTERCARE_AFTER,
    aftercareGrace: c.AFTERCARE_GRACE,
    esfResultWindow: c.ESF_RESULT_WINDOW,
    esfFollowUpAfter: c.ESF_FOLLOW_UP_AFTER,
    localHour: c.LOCAL_HOUR,
  });
  const emailTaskQueue = c.TEMPORAL_EMAIL_TASK_QUEUE ?? `${c.TEMPORAL_TASK_QUEUE}-emails`;
  if (emailTaskQueue === c.TEMPORAL_TASK_QUEUE) throw new ConfigError('Invalid configuration:\n  TEMPORAL_EMAIL_TASK_QUEUE: must differ from TEMPORAL_TASK_QUEUE');
  const logLevel = c.LOG_LEVEL ?? (c.GROEIPAD_ENV === 'test' ? 'warn' : 'info');
  return { ...c, dataDir: resolve(c.GROEIPAD_DATA_DIR), timings, emailTaskQueue, logLevel };
}
