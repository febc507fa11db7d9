import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker logs at WARN in tests: failures stay readable.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process.
}
