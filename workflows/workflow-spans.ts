import type { Headers } from '@temporalio/common';
import type { OpenTelemetrySinks, SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import * as wf from '@temporalio/workflow';

/**
 * The workflow side of tracing without OpenTelemetry in the sandbox (not a workflow). It makes
 * the spans @temporalio/interceptors-opentelemetry's workflow interceptors make (RunWorkflow,
 * HandleUpdate, HandleSignal, StartActivity; all INTERNAL, with the same status and exception
 * event on failure), carries their header to the activities (`_tracer-data`, a W3C
 * `traceparent`) and hands them to the same `exporter` sink, so the worker's span processor and
 * the activities' interceptor take them as they took those. What it leaves out is OpenTelemetry's
 * SDK: evaluated afresh for every workflow the worker caches or replays, it was 0.26 MB of heap
 * per cached path, and its tracer and context held another 0.48 MB while the path ran. It makes
 * no span for continue-as-new (the next run's RunWorkflow is the child of this one's), and the
 * parent of what a workflow schedules is the handler running at that moment or else the run
 * (see `current`), not a context followed across awaits.
 *
 * Determinism: nothing here awaits or wraps a promise the workflow waits on. Each call runs the
 * workflow's own call unchanged (synchronously, with the span noted as the current one), and a
 * span ends in a reaction of its own on the returned promise, which issues no command and
 * resolves nothing the workflow awaits. Span ids come from the run id and a counter, not from
 * the workflow's random numbers, so the workflow's own draws are untouched. Times are the
 * workflow's clock. Sink calls are dropped during replay, so a span is exported once, when it
 * ends in live execution.
 */

/** The header the OpenTelemetry interceptors carry a trace context in (W3C `traceparent`). */
const TRACE_HEADER = '_tracer-data';
/** OpenTelemetry's workflow interceptors make every span INTERNAL (0). */
const SPAN_KIND_INTERNAL = 0;
const STATUS_UNSET = 0;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

interface SpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: string;
}

interface OpenSpan {
  context: SpanContext;
  name: string;
  kind: number;
  parentSpanId?: string;
  startMs: number;
  attributes: Record<string, string>;
}

export class WorkflowSpans {
  private readonly exporter = wf.proxySinks<OpenTelemetrySinks>().exporter;
  /** The run's own span (RunWorkflow), the parent of what its main loop schedules. */
  private run: SpanContext | undefined;
  /** The span whose handler is running synchronously right now, if any. */
  private running: SpanContext | undefined;
  private opened = 0;

  /**
   * The context the current code runs in: the handler running synchronously, else the run's.
   * Not an AsyncLocalStorage, as OpenTelemetry's context manager uses: the sandbox's is Node's,
   * one per cached workflow, and with it a cached path held 0.35 MB more heap, growing faster
   * than the number of paths (`npm run bench -- --only cacheheap`), more than the rest of the
   * workflow. The path writes its effects from its main loop, so what it schedules is the run's
   * anyway.
   */
  current(): SpanContext | undefined {
    return this.running ?? this.run;
  }

  /** Runs `fn` as the span `name`, a child of the context in `headers` (or of the current one). */
  inbound<T>(name: string, kind: number, headers: Headers, attributes: Record<string, string>, fn: () => Promise<T>, o: { isRun?: boolean; acceptable?: (err: unknown) => boolean } = {}): Promise<T> {
    const span = this.open(name, kind, fromHeaders(headers) ?? this.current(), attributes);
    if (o.isRun) this.run = span.context;
    return this.endWith(span, this.within(span.context, fn), o.acceptable);
  }

  /** Runs `fn` with `headers` that carry a new span `name` (a child of the current one) to what it schedules. */
  outbound<T>(name: string, headers: Headers, attributes: Record<string, string>, fn: (headers: Headers) => Promise<T>): Promise<T> {
    const span = this.open(name, SPAN_KIND_INTERNAL, this.current(), attributes);
    return this.endWith(span, this.within(span.context, () => fn(withContext(headers, span.context))));
  }

  /** `headers` with the current context added, for a call that needs no span of its own (continue-as-new). */
  propagate(headers: Headers): Headers {
    const context = this.current();
    return context ? withContext(headers, context) : headers;
  }

  private within<T>(context: SpanContext, fn: () => T): T {
    const outer = this.running;
    this.running = context;
    try {
      return fn();
    } finally {
      this.running = outer;
    }
  }

  private open(name: string, kind: number, parent: SpanContext | undefined, attributes: Record<string, string>): OpenSpan {
    const { runId } = wf.workflowInfo();
    this.opened += 1;
    const spanId = hex64(`${runId}/${this.opened}`);
    const context: SpanContext = parent
      ? { traceId: parent.traceId, spanId, traceFlags: parent.traceFlags, ...(parent.traceState ? { traceState: parent.traceState } : {}) }
      : { traceId: hex64(`${runId}/trace`) + hex64(`${runId}/trace/2`), spanId, traceFlags: 1 };
    return { context, name, kind, ...(parent ? { parentSpanId: parent.spanId } : {}), startMs: Date.now(), attributes };
  }

  private endWith<T>(span: OpenSpan, result: Promise<T>, acceptable?: (err: unknown) => boolean): Promise<T> {
    // A reaction of its own: the workflow awaits `result` itself, so it resumes exactly when it would without this.
    // (It marks a rejection of `result` as handled; the path awaits every call it makes.)
    result.then(
      () => this.export(span, { code: STATUS_OK }),
      (err: unknown) => {
        try {
          this.export(span, ...outcome(err, acceptable));
        } catch {
          // outcome() could only fail on an error that cannot be printed; the span is dropped, the workflow goes on.
        }
      },
    );
    return result;
  }

  /** Never throws: a failure here would be an unhandled rejection, which fails the workflow task. */
  private export(span: OpenSpan, status: SerializableSpan['status'], events: SerializableSpan['events'] = []): void {
    try {
      const endMs = Date.now();
      this.exporter.export([
        {
          name: span.name,
          kind: span.kind,
          spanContext: span.context,
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
          startTime: hrTime(span.startMs),
          endTime: hrTime(endMs),
          duration: hrTime(endMs - span.startMs),
          status,
          attributes: span.attributes,
          links: [],
          events: events.map((e) => ({ ...e, time: hrTime(endMs) })),
          ended: true,
          droppedAttributesCount: 0,
          droppedLinksCount: 0,
          droppedEventsCount: 0,
          instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
        },
      ]);
    } catch (err) {
      wf.log.warn('a workflow span was not exported', { span: span.name, error: String(err) });
    }
  }
}

/** A failed span's status and exception event, as OpenTelemetry's interceptors record them (a benign failure leaves the status unset). */
function outcome(err: unknown, acceptable?: (err: unknown) => boolean): [SerializableSpan['status'], SerializableSpan['events']] {
  if (acceptable?.(err)) return [{ code: STATUS_OK }, []];
  const message = err instanceof Error ? err.message : String(err);
  const benign = err instanceof wf.ApplicationFailure && err.category === 'BENIGN';
  const exception = { name: 'exception', attributes: { 'exception.type': err instanceof Error ? err.name : typeof err, 'exception.message': message }, time: hrTime(0) };
  return [benign ? { code: STATUS_UNSET } : { code: STATUS_ERROR, message }, [exception]];
}

/** The interceptors of a workflow that traces with WorkflowSpans. */
export function workflowSpanInterceptors(spans: WorkflowSpans) {
  const inbound: wf.WorkflowInboundCallsInterceptor = {
    execute: (input, next) =>
      spans.inbound(`RunWorkflow:${wf.workflowInfo().workflowType}`, SPAN_KIND_INTERNAL, input.headers, {}, () => next(input), { isRun: true, acceptable: (err) => err instanceof wf.ContinueAsNew }),
    handleSignal: (input, next) => spans.inbound(`HandleSignal:${input.signalName}`, SPAN_KIND_INTERNAL, input.headers, {}, () => next(input)),
    handleUpdate: (input, next) => spans.inbound(`HandleUpdate:${input.name}`, SPAN_KIND_INTERNAL, input.headers, { temporalUpdateId: input.updateId }, () => next(input)),
  };
  const outbound: wf.WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => spans.outbound(`StartActivity:${input.activityType}`, input.headers, {}, (headers) => next({ ...input, headers })),
    scheduleLocalActivity: (input, next) => spans.outbound(`StartActivity:${input.activityType}`, input.headers, {}, (headers) => next({ ...input, headers })),
    continueAsNew: (input, next) => next({ ...input, headers: spans.propagate(input.headers) }),
  };
  return { inbound, outbound };
}

/** The log attributes OpenTelemetry's interceptors add: the current span's ids. */
export function spanLogAttributes(context: SpanContext, input: Record<string, unknown>): Record<string, unknown> {
  return { trace_id: context.traceId, span_id: context.spanId, trace_flags: `0${context.traceFlags.toString(16)}`, ...input };
}

function fromHeaders(headers: Headers): SpanContext | undefined {
  const payload = headers[TRACE_HEADER];
  if (!payload) return undefined;
  const carrier = wf.defaultPayloadConverter.fromPayload<{ traceparent?: unknown; tracestate?: unknown }>(payload);
  const match = typeof carrier?.traceparent === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(carrier.traceparent) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16), ...(typeof carrier.tracestate === 'string' && carrier.tracestate ? { traceState: carrier.tracestate } : {}) };
}

function withContext(headers: Headers, context: SpanContext): Headers {
  const carrier: Record<string, string> = { traceparent: `00-${context.traceId}-${context.spanId}-0${context.traceFlags.toString(16)}` };
  if (context.traceState) carrier.tracestate = context.traceState;
  return { ...headers, [TRACE_HEADER]: wf.defaultPayloadConverter.toPayload(carrier) };
}

/** 16 hex digits from a string: two 32-bit FNV-1a hashes with different offsets (an id, not a secret). */
function hex64(text: string): string {
  return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x050c5d1f);
}

function fnv1a(text: string, offset: number): string {
  let hash = offset;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function hrTime(ms: number): [number, number] {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}
