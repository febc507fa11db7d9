import * as wf from '@temporalio/workflow';
import { spanLogAttributes, workflowSpanInterceptors, WorkflowSpans } from './workflow-spans.js';

/**
 * The workflow side of tracing (not a workflow), bundled with every workflow
 * (worker/tracing.ts WORKFLOW_INTERCEPTOR_MODULES): a path's run, its updates and the activities
 * it schedules become spans in the trace of the request that started them, and leave the sandbox
 * through the `exporter` sink.
 *
 * Two implementations, each behind a patch, because each changes how a history replays:
 * - WORKFLOW_SPANS_PATCH, every new run: WorkflowSpans (workflows/workflow-spans.ts), the same
 *   spans without OpenTelemetry's SDK in the sandbox.
 * - TRACING_PATCH, runs recorded from 2026-11-29 until WorkflowSpans: OpenTelemetry's own
 *   workflow interceptors. They wrap scheduling in promises of their own, so a coroutine of the
 *   workflow may run a microtask earlier or later than without them, and such a history replays
 *   only with them. Their modules are loaded the first time such a replay needs them, so no other
 *   workflow pays for evaluating them.
 * A run recorded with neither runs without interceptors while it replays. Any run takes
 * WorkflowSpans from the workflow task in which it reaches live execution (where that patch's
 * marker is written) on, so the older runs move over as they go on (tests/path-replay.test.ts
 * replays histories of all three kinds).
 */
export const TRACING_PATCH = 'tracing-interceptors';
export const WORKFLOW_SPANS_PATCH = 'workflow-spans';

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;
type Methods = Record<string, Method | undefined>;

/**
 * Methods that may issue commands, so the patches decide which implementation runs: exactly the
 * ones OpenTelemetry's interceptors implement (no startTimer). A replay of a run recorded with them
 * must ask for TRACING_PATCH in the same calls as the build that recorded it, or its marker
 * command would come at another place among the timers.
 */
const GATED = {
  inbound: ['execute', 'handleSignal', 'handleUpdate'],
  outbound: ['scheduleActivity', 'scheduleLocalActivity', 'startChildWorkflowExecution', 'startNexusOperation', 'continueAsNew', 'signalWorkflow'],
} as const;

export const interceptors = (): wf.WorkflowInterceptors => {
  const spans = new WorkflowSpans();
  const own = workflowSpanInterceptors(spans) as unknown as Record<'inbound' | 'outbound', Methods>;
  let openTelemetry: Record<'inbound' | 'outbound' | 'internals', Methods> | undefined;
  const legacy = () => (openTelemetry ??= loadOpenTelemetryInterceptors());

  const gated = (side: 'inbound' | 'outbound', name: string): Method => (input, next) => {
    if (wf.patched(WORKFLOW_SPANS_PATCH)) {
      const method = own[side][name];
      return method ? method(input, next) : next(input);
    }
    if (wf.patched(TRACING_PATCH)) {
      const target = legacy()[side];
      const method = target[name];
      return method ? method.call(target, input, next) : next(input);
    }
    return next(input);
  };
  const side = (name: 'inbound' | 'outbound') => Object.fromEntries(GATED[name].map((method) => [method, gated(name, method)]));

  return {
    inbound: [side('inbound') as wf.WorkflowInboundCallsInterceptor],
    outbound: [
      {
        ...side('outbound'),
        // Issues no command, so it needs no patch: the ids of the span the log line was written in.
        getLogAttributes: (input, next) => {
          const context = spans.current();
          if (context) return next(spanLogAttributes(context, input));
          const method = openTelemetry?.outbound.getLogAttributes;
          return method ? (method.call(openTelemetry!.outbound, input, next as never) as Record<string, unknown>) : next(input);
        },
      } as wf.WorkflowOutboundCallsInterceptor,
    ],
    internals: [
      {
        dispose: (input, next) => {
          const method = openTelemetry?.internals.dispose;
          if (method) method.call(openTelemetry!.internals, input, next as never);
          else next(input);
        },
      },
    ],
  };
};

let openTelemetryLoaded = false;

/** Whether this workflow (module state is per workflow) has replayed with OpenTelemetry's interceptors. */
export const ranOpenTelemetry = (): boolean => openTelemetryLoaded;

/** OpenTelemetry's workflow interceptors, required only when a run recorded with them replays. */
function loadOpenTelemetryInterceptors(): Record<'inbound' | 'outbound' | 'internals', Methods> {
  openTelemetryLoaded = true;
  // A require() inside a function: webpack evaluates the module when this runs, not when the bundle loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js') as typeof import('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js');
  const { inbound = [], outbound = [], internals = [] } = module.interceptors();
  return { inbound: inbound[0] as unknown as Methods, outbound: outbound[0] as unknown as Methods, internals: internals[0] as unknown as Methods };
}
