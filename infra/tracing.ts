import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Traces: one per request, from the API's span through the Temporal client (StartWorkflow,
 * StartWorkflowUpdate), the workflow (RunWorkflow, HandleUpdate, StartActivity) into its
 * activities (RunActivity), by @temporalio/interceptors-opentelemetry, which carries the context
 * in Temporal's headers. Sent over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise
 * nothing is registered and every tracer is OpenTelemetry's no-op one (the interceptors then
 * make non-recording spans and add no headers).
 */
export interface Tracing {
  readonly tracer: Tracer;
  /** Where finished spans go: the worker hands the workflows' spans (from their sink) to it too. */
  readonly spanProcessor: SpanProcessor;
  readonly resource: Resource;
  /** Sends what is buffered; call before the process exits. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` of every span: groeipad-api, groeipad-worker. */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL (spans go to <endpoint>/v1/traces). */
  endpoint?: string;
  /** Instead of OTLP: a processor of one's own (tests: an in-memory exporter). */
  spanProcessor?: SpanProcessor;
}

/**
 * Registers the process's tracer provider, context manager (async_hooks: a span stays current
 * across awaits) and W3C propagator. Undefined, registering nothing, when there is nowhere to send.
 */
export function setUpTracing(options: TracingOptions): Tracing | undefined {
  const spanProcessor =
    options.spanProcessor ?? (options.endpoint ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` })) : undefined);
  if (!spanProcessor) return undefined;
  const resource = new Resource({ 'service.name': options.serviceName });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    tracer: provider.getTracer('groeipad'),
    spanProcessor,
    resource,
    shutdown: () => provider.shutdown(),
  };
}
