import { DefaultLogger, Runtime } from '@temporalio/worker';

// The bench prints its own table; the SDK logs only warnings.
Runtime.install({ logger: new DefaultLogger('WARN') });
