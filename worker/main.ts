import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config.js';
import { exitOnRefusal } from '../infra/startup.js';
import { assertClusterReady } from '../infra/temporal/cluster-check.js';
import { temporalConnectionOptions } from '../infra/temporal/connection.js';
import { createWorkers } from './create-worker.js';
import { ensureSchedulesFromConfig } from './schedules.js';

/**
 * Runs the worker's two Workers (paths, emails) until SIGINT/SIGTERM, then lets them finish what
 * they started and exits. Refuses to start, with one line on stderr and exit code 1, on a bad
 * configuration or a namespace that lacks what the paths need (`npm run temporal:setup`).
 */
try {
  const config = loadConfig();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  await assertClusterReady(connection, config.TEMPORAL_NAMESPACE);
  const workers = await createWorkers(config, { connection });
  await ensureSchedulesFromConfig(config);
  if (config.WORKER_MEMORY_LOG_SECONDS > 0) {
    // One JSON line per interval. RSS against the main thread's V8 heap tells whether memory sits
    // in the main thread's objects or elsewhere: the workflow thread's own heap (not visible from
    // here) or native memory (Node, the Temporal core in Rust, malloc).
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    setInterval(() => {
      const m = process.memoryUsage();
      const s = workers.paths.getStatus();
      const line = { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), cachedWorkflows: s.numCachedWorkflows, activities: s.numInFlightActivities };
      process.stderr.write(`worker-memory ${JSON.stringify(line)}\n`);
    }, config.WORKER_MEMORY_LOG_SECONDS * 1000).unref();
  }
  process.stdout.write(`worker: polling task queues ${config.TEMPORAL_TASK_QUEUE} and ${config.emailTaskQueue} on ${config.TEMPORAL_ADDRESS}\n`);
  // The SDK's runtime stops both Workers on SIGINT/SIGTERM; they finish what they started (within
  // WORKER_SHUTDOWN_GRACE_SECONDS) and run() returns.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.stdout.write(`worker: ${signal}: finishing in-flight work (at most ${config.WORKER_SHUTDOWN_GRACE_SECONDS} s)\n`));
  }
  await workers.run();
  await connection.close();
  process.stdout.write('worker: stopped\n');
} catch (err) {
  exitOnRefusal(err);
}
