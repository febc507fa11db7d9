import { createRequire } from 'node:module';
import { getHeapStatistics } from 'node:v8';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { Resend } from 'resend';
import { createActivities, type Activities } from '../activities/index.js';
import { ConfigError, type Config } from '../infra/config.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { temporalConnectionOptions } from '../infra/temporal/connection.js';
import { dataConverterFor } from '../infra/temporal/payload-codec.js';
import type { Tracing } from '../infra/tracing.js';
import { startDispatcherWatch } from './dispatcher-watch.js';
import { dispatcherWaker, signalDispatcher } from './email-dispatcher.js';
import { tracingSinks, tracingWorkerOptions, WORKFLOW_INTERCEPTOR_MODULES } from './tracing.js';

const require = createRequire(import.meta.url);

export const WORKFLOWS_PATH = require.resolve('../workflows/index.ts');

/**
 * The workflow code as the worker runs it, for Worker.create and Worker.runReplayHistories with
 * a path (tests, benches): the workflows with the tracing interceptors, whose patch marker is in
 * every history recorded since, and their span sink (dropping the spans).
 */
export const WORKFLOW_CODE = {
  workflowsPath: WORKFLOWS_PATH,
  interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
  sinks: tracingSinks(undefined),
};

/** The activities a worker runs, built once from the configured clients. */
export function activitiesFromConfig(config: Config, client: Client): Activities {
  return createActivities({
    db: supabaseClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY),
    // The real Resend SDK; without an API key it talks to the local outbox (RESEND_BASE_URL).
    resend: new Resend(config.RESEND_API_KEY ?? 're_local_outbox', config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : undefined),
    emailFrom: config.EMAIL_FROM,
    publicUrl: config.PUBLIC_URL,
    optOutSecret: config.SUPABASE_JWT_SECRET,
    linkSecret: config.LINK_SECRET,
    participantLinks: { validity: config.PARTICIPANT_LINK_VALIDITY, minLeft: config.PARTICIPANT_LINK_REUSE_MIN_LEFT },
    ratePerSecond: config.EMAIL_RATE_LIMIT_PER_SECOND,
    batchSize: config.EMAIL_BATCH_SIZE,
    lingerMs: config.EMAIL_LINGER_SECONDS * 1000,
    wakeDispatcher: dispatcherWaker(client, config),
  });
}

/**
 * Refuses a workflow cache that the V8 heap limit cannot hold. The workflow thread's heap is
 * about 30 MB plus about 0.15 MB per cached path (`npm run bench -- --only cacheheap`, measured on
 * the heap after a collection: 0.15 MB with the bundle the worker runs, 0.13 MB for the workflows
 * alone; 0.87 MB while the bundle ran OpenTelemetry's SDK, before workflows/workflow-spans.ts),
 * counted here as 0.2 MB; half as much again leaves room for garbage and replays. Too small a
 * heap would crash with "out of memory" under load, not at start.
 */
export function checkHeapForCache(cache: number, heapLimitMb = getHeapStatistics().heap_size_limit / 2 ** 20): void {
  const neededMb = Math.ceil(1.5 * (30 + HEAP_MB_PER_CACHED_PATH * cache));
  if (heapLimitMb < neededMb) {
    throw new ConfigError(
      `The V8 heap limit (${Math.round(heapLimitMb)} MB) cannot hold WORKER_MAX_CACHED_WORKFLOWS=${cache} (about ${neededMb} MB): ` +
        `lower the cache or raise --max-old-space-size (worker/launch.ts).`,
    );
  }
}

const HEAP_MB_PER_CACHED_PATH = 0.2;

/** Read by the SDK patch in infra/patches when a workflow thread starts: 'off' installs no promise hook. */
export const PROMISE_HOOK_SWITCH = 'GROEIPAD_WORKFLOW_PROMISE_HOOK';

/**
 * The SDK's two costs per workflow call that infra/patches makes optional: the promise hook behind
 * the stack-trace query, and the deadlock watch (0 = none). The hook's switch is an environment
 * variable that a workflow thread reads once, as it starts (a Worker starts its own), so this runs
 * before the Worker is created. Replays run in this thread, which reads it at its first replay and
 * keeps that setting for the life of the process. Returns the options for Worker.create and
 * Worker.runReplayHistories.
 */
export function workflowSandboxOptions(config: Pick<Config, 'WORKER_WORKFLOW_STACK_TRACES' | 'WORKER_WORKFLOW_DEADLOCK_SECONDS'>): { isolateExecutionTimeout: number } {
  process.env[PROMISE_HOOK_SWITCH] = config.WORKER_WORKFLOW_STACK_TRACES ? 'on' : 'off';
  // Whole milliseconds: Node refuses a fractional vm timeout (1.1 s is 1100.0000000000002 ms).
  return { isolateExecutionTimeout: Math.round(config.WORKER_WORKFLOW_DEADLOCK_SECONDS * 1000) };
}

/** After the grace, how long a worker that still has not drained is given before it is stopped hard. */
export const WORKER_FORCED_EXIT_AFTER_GRACE_SECONDS = 10;

/**
 * Half the cache (see where it is used), and at most 20 per workflow thread: a thread gains
 * nothing from more tasks at once, and a task's 10 s timeout runs while it waits in the worker,
 * not while it waits on the server. With 40 for one thread, on two shared cores under a fault
 * test's load, a stopping worker let a task time out (tests/chaos/scale-out.chaos.ts).
 */
export function workflowTaskSlotsFor(cache: number, threads = 1): number {
  return Math.max(1, Math.min(20 * threads, Math.floor(cache / 2)));
}

/** A worker process's two Workers: the paths on their queue, the email dispatcher on its own. */
export interface Workers {
  paths: Worker;
  emails: Worker;
  /** Runs both until both are shut down; one that fails shuts the other down too. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * The Workers of one process, on one connection and one workflow bundle: the path Worker (paths,
 * group moments, schedules' workflows and their activities) and a small one that polls only the
 * email dispatcher's task queue, so a backlog of path tasks never holds up the sending.
 */
export async function createWorkers(
  config: Config,
  { tracing, ...overrides }: Partial<WorkerOptions> & { connection?: NativeConnection; tracing?: Tracing } = {},
): Promise<Workers> {
  checkHeapForCache(overrides.maxCachedWorkflows ?? config.WORKER_MAX_CACHED_WORKFLOWS);
  const connection = overrides.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
  // A prebuilt bundle (`npm run build:workflows`) keeps webpack out of the worker's memory; else
  // it is built once here for both Workers.
  const workflowBundle = config.WORKFLOW_BUNDLE_PATH
    ? { codePath: config.WORKFLOW_BUNDLE_PATH }
    : { code: (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger: new DefaultLogger('WARN') })).code };
  // The activities' client (to wake the email dispatcher) shares the worker's connection.
  const dataConverter = dataConverterFor(config.TEMPORAL_PAYLOAD_KEYS);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const activities = activitiesFromConfig(config, client);
  const common = {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    workflowBundle,
    activities,
    dataConverter,
    // The SDK's default grace is 0: a stopping worker would cancel its in-flight activities at once.
    shutdownGraceTime: `${config.WORKER_SHUTDOWN_GRACE_SECONDS}s`,
    shutdownForceTime: `${config.WORKER_SHUTDOWN_GRACE_SECONDS + WORKER_FORCED_EXIT_AFTER_GRACE_SECONDS}s`,
    ...workflowSandboxOptions(config),
    ...tracingWorkerOptions(tracing),
  };
  const paths = await Worker.create({
    ...common,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    // Paths wait for months: keep memory bounded by the cache, not by the number of paths.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    workflowThreadPoolSize: config.WORKER_WORKFLOW_THREADS,
    // At most half the cache busy at once: when the cache is full the core evicts a path even
    // while its task waits for its local activity, which drops that task's answer until the
    // server times it out (10 s; README, "This is an SDK bug"). With half the cache idle, the
    // least recently used path it evicts is an idle one.
    maxConcurrentWorkflowTaskExecutions: workflowTaskSlotsFor(overrides.maxCachedWorkflows ?? config.WORKER_MAX_CACHED_WORKFLOWS, config.WORKER_WORKFLOW_THREADS),
    ...overrides,
  });
  const emails = await Worker.create({
    ...common,
    taskQueue: config.emailTaskQueue,
    // One dispatcher: a handful of cached workflows and delivery activities is all it needs.
    maxCachedWorkflows: 2,
    maxConcurrentActivityTaskExecutions: 4,
  });
  return {
    paths,
    emails,
    async run() {
      const stopBoth = (err: unknown) => {
        for (const w of [paths, emails]) if (w.getState() === 'RUNNING') w.shutdown();
        throw err;
      };
      const stopWatch = startDispatcherWatch({
        db: supabaseClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY),
        wake: () => signalDispatcher(client, config),
        intervalMs: config.EMAIL_DISPATCH_WATCH_SECONDS * 1000,
        warn: (err) => Runtime.instance().logger.warn('could not look for emails waiting with the dispatcher asleep', { error: String(err) }),
      });
      try {
        await Promise.all([paths.run().catch(stopBoth), emails.run().catch(stopBoth)]);
      } finally {
        stopWatch();
      }
    },
    shutdown() {
      for (const w of [paths, emails]) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
