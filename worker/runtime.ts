import { Runtime } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import { RuntimeLogger } from './runtime-log.js';

/**
 * Installs the process's Temporal runtime (once, before the first connection): its log, the
 * SDK's and the Rust core's alike, goes into the JSON log. The core is kept at WARN unless the
 * log level asks for debugging: at INFO it describes every poll.
 */
export function installRuntime(config: Config, logger: Logger): Runtime {
  const debugging = config.logLevel === 'debug' || config.logLevel === 'trace';
  return Runtime.install({
    logger: new RuntimeLogger(logger.child({ component: 'temporal' })),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: debugging ? 'DEBUG' : 'WARN', other: 'ERROR' } },
    },
  });
}
