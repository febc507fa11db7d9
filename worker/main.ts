import { loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { setUpTracing } from '../infra/tracing.js';
import { createWorkers } from './create-worker.js';
import { startOutboxGauges } from './outbox-metrics.js';
import { installRuntime } from './runtime.js';
import { ensureSchedulesFromConfig } from './schedules.js';

/** Runs the path worker until SIGINT/SIGTERM, then drains and exits. */
const config = loadConfig();
const logger = createLogger({ level: config.logLevel, base: { service: 'worker' } });
const runtime = installRuntime(config, logger);
const tracing = setUpTracing({ serviceName: 'groeipad-worker', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const workers = await createWorkers(config, { tracing });
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
await workers.run();
// The last spans of the drained tasks still go out.
await tracing?.shutdown();
