import { interceptors as openTelemetryInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
import * as wf from '@temporalio/workflow';

/**
 * The workflow side of tracing (not a workflow): @temporalio/interceptors-opentelemetry's
 * interceptors, bundled with every workflow (worker/tracing.ts WORKFLOW_INTERCEPTOR_MODULES). A
 * path's run, its updates and the activities it schedules become spans in the trace of the
 * request that started them; the spans leave the sandbox through the `exporter` sink.
 *
 * Behind a patch: the interceptors wrap scheduling in promises of their own, so a coroutine of
 * the workflow may run a microtask earlier or later than it did without them, and a history
 * recorded without them no longer replays (tests/path-replay.test.ts). A run that started
 * without them keeps running without them until it reaches live execution, where the patch
 * marker is written; from there on (and in every new run) it is traced.
 */
export const TRACING_PATCH = 'tracing-interceptors';

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;

/** Methods that may issue commands: traced only once the patch is on. */
const GATED = [
  'execute',
  'handleSignal',
  'handleUpdate',
  'scheduleActivity',
  'scheduleLocalActivity',
  'startTimer',
  'startChildWorkflowExecution',
  'startNexusOperation',
  'continueAsNew',
  'signalWorkflow',
];
/** Methods that issue none (a log line's trace id): always on. Queries and update validators may not issue commands, so they are not traced at all. */
const FREE = ['getLogAttributes', 'getMetricTags'];

function gate<T extends object>(interceptor: T): T {
  const methods = interceptor as unknown as Record<string, Method | undefined>;
  const gated: Record<string, Method> = {};
  for (const name of GATED) {
    const method = methods[name];
    if (method) gated[name] = (input, next) => (wf.patched(TRACING_PATCH) ? method.call(interceptor, input, next) : next(input));
  }
  for (const name of FREE) {
    const method = methods[name];
    if (method) gated[name] = (input, next) => method.call(interceptor, input, next);
  }
  return gated as T;
}

export const interceptors = (): wf.WorkflowInterceptors => {
  const { inbound = [], outbound = [], internals = [] } = openTelemetryInterceptors();
  return { inbound: inbound.map(gate), outbound: outbound.map(gate), internals };
};
