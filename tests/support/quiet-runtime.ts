import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

const listeners = new Set<(entry: LogEntry) => void>();

/**
 * Calls `listener` with every log entry of the worker runtime (the SDK's, the workflows' and the
 * activities' from DEBUG up; forwarded, its Rust core's at WARN and above) until the returned
 * function is called.
 */
export function onRuntimeLog(listener: (entry: LogEntry) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const PRINTED: ReadonlySet<LogEntry['level']> = new Set(['WARN', 'ERROR']);

// Worker logs are printed at WARN in tests: failures stay readable. Listeners see DEBUG too (a
// test of the JSON log reads the activities' lines). The core's own log lines are forwarded
// through the same logger (by default they go straight to stderr), so a test can count them.
try {
  const print = new DefaultLogger('WARN');
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry) => {
      for (const listener of listeners) listener(entry);
      if (PRINTED.has(entry.level)) print.log(entry.level, entry.message, entry.meta);
    }),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
  });
} catch {
  // Already installed in this process.
}
