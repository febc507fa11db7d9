import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import { RuntimeLogger } from './runtime-log.js';

/** The runtime's options: its log into the JSON log, its metrics on WORKER_METRICS_PORT. */
export function runtimeOptions(config: Config, logger: Logger): RuntimeOptions {
  // The core stays at WARN unless the log level asks for debugging: at INFO it describes every poll.
  const debugging = config.logLevel === 'debug' || config.logLevel === 'trace';
  return {
    logger: new RuntimeLogger(logger.child({ component: 'temporal' })),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: debugging ? 'DEBUG' : 'WARN', other: 'ERROR' } },
      ...(config.WORKER_METRICS_PORT > 0
        ? {
            metrics: {
              // Prometheus's own conventions: counters end in _total, durations are in seconds
              // and say so (…_latency_seconds).
              prometheus: { bindAddress: `0.0.0.0:${config.WORKER_METRICS_PORT}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
            },
          }
        : {}),
    },
  };
}

/**
 * Installs the process's Temporal runtime, once, before the first connection: the SDK's, the
 * workflows', the activities' and the Rust core's log go into the JSON log, and with
 * WORKER_METRICS_PORT the core serves the SDK's metrics (and ours, through
 * `Runtime.instance().metricMeter`) for Prometheus at http://<host>:<port>/metrics.
 */
export function installRuntime(config: Config, logger: Logger): Runtime {
  return Runtime.install(runtimeOptions(config, logger));
}
