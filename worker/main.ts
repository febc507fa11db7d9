import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { exitOnRefusal } from '../infra/startup.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { assertClusterReady } from '../infra/temporal/cluster-check.js';
import { temporalConnectionOptions } from '../infra/temporal/connection.js';
import { setUpTracing } from '../infra/tracing.js';
import { createWorkers } from './create-worker.js';
import { startOutboxGauges } from './outbox-metrics.js';
import { installRuntime } from './runtime.js';
import { ensureSchedulesFromConfig } from './schedules.js';

/**
 * Runs the worker's two Workers (paths, emails) until SIGINT/SIGTERM, then lets them finish what
 * they started and exits. Refuses to start, with one line on stderr and exit code 1, on a bad
 * configuration or a namespace that lacks what the paths need (`npm run temporal:setup`).
 */
try {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, base: { service: 'worker' } });
  const runtime = installRuntime(config, logger);
  const tracing = setUpTracing({ serviceName: 'groeipad-worker', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  await assertClusterReady(connection, config.TEMPORAL_NAMESPACE);
  const workers = await createWorkers(config, { connection, tracing });
  await ensureSchedulesFromConfig(config, logger);
  if (config.WORKER_MEMORY_LOG_SECONDS > 0) {
    // One line per interval. RSS against the main thread's V8 heap tells whether memory sits
    // in the main thread's objects or elsewhere: the workflow thread's own heap (not visible from
    // here) or native memory (Node, the Temporal core in Rust, malloc).
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    setInterval(() => {
      const m = process.memoryUsage();
      const s = workers.paths.getStatus();
      const line = { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), cachedWorkflows: s.numCachedWorkflows, activities: s.numInFlightActivities };
      logger.info(line, 'worker memory');
    }, config.WORKER_MEMORY_LOG_SECONDS * 1000).unref();
  }
  if (config.WORKER_METRICS_PORT > 0) {
    const db = supabaseClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY);
    startOutboxGauges({ db, meter: runtime.metricMeter, logger, intervalMs: config.OUTBOX_METRICS_SECONDS * 1000 });
    logger.info({ port: config.WORKER_METRICS_PORT }, 'metrics at /metrics');
  }
  logger.info({ taskQueues: [config.TEMPORAL_TASK_QUEUE, config.emailTaskQueue], address: config.TEMPORAL_ADDRESS }, 'polling');
  // The SDK's runtime stops both Workers on SIGINT/SIGTERM; they finish what they started (within
  // WORKER_SHUTDOWN_GRACE_SECONDS) and run() returns.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => logger.info({ signal, graceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS }, 'stopping: finishing in-flight work'));
  }
  await workers.run();
  // The last spans of the drained tasks still go out.
  await tracing?.shutdown();
  await connection.close();
  logger.info('stopped');
} catch (err) {
  exitOnRefusal(err);
}
