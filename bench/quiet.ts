import { DefaultLogger, Runtime } from '@temporalio/worker';

// The bench prints its own table; the SDK logs only warnings. BENCH_SDK_METRICS=<host:port>
// serves the SDK's own metrics of this process (the burst's worker runs in it) for Prometheus,
// durations in milliseconds: where a workflow task's time goes (its local activity, its wait).
const metrics = process.env.BENCH_SDK_METRICS;
Runtime.install({
  logger: new DefaultLogger('WARN'),
  ...(metrics ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metrics, useSecondsForDurations: false } } } } : {}),
});
