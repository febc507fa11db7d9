import { createRequire } from 'node:module';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, type OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../infra/tracing.js';

const require = createRequire(import.meta.url);

/**
 * Bundled with the workflows always (a prebuilt bundle cannot add them later): with tracing off
 * their spans are dropped by the no-op sink below.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/tracing-interceptors.ts')];

type TracingSinks = InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }>;

/** Where the workflow interceptors' spans leave the sandbox: the span processor, or nowhere. */
export function tracingSinks(tracing: Tracing | undefined): TracingSinks {
  if (tracing) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return { exporter: { export: { fn: () => {} } } };
}

/** A Worker's part of tracing: the workflows' span sink and, when tracing, the activities' spans. */
export function tracingWorkerOptions(tracing: Tracing | undefined): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  const sinks = tracingSinks(tracing);
  if (!tracing) return { sinks };
  return {
    sinks,
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
  };
}
