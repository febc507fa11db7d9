import { createHash, timingSafeEqual } from 'node:crypto';
import { context, propagation, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram, Registry } from 'prom-client';
import { loggablePath, type Logger } from '../infra/logger.js';
import type { AppEnv } from './context.js';

/**
 * The API's request metrics, in a registry of the app's own (not prom-client's global one: an
 * app made twice in one process, as tests do, would register every metric twice).
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'groeipad_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'groeipad_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status class (2xx … 5xx)',
    labelNames: ['method', 'route', 'status_class'] as const,
    // Pages and API calls take tens of milliseconds; an update waits for the path workflow.
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
}

/**
 * The route a request matched, as registered (`/mijn-pad/:token`), never its path: the labels
 * stay few and hold no token or id. Requests that no route answered (a 404, a refused method, a
 * redirect to sign in before the route) count as "unmatched".
 */
export function routeLabel(c: Context): string {
  const route = routePath(c);
  return route === '' || route.includes('*') ? 'unmatched' : route;
}

/**
 * One line in the log and one count in the metrics per request, when the answer is ready (errors
 * included: onError has run by then).
 */
export function requestTelemetry(logger: Logger, metrics: ApiMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    c.set('log', logger.child({ requestId: c.var.requestId }));
    await next();
    const seconds = (performance.now() - started) / 1000;
    const status = c.res.status;
    const route = routeLabel(c);
    metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    metrics.duration.observe({ method: c.req.method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
    // The path loses its link tokens; the query string is never logged.
    const span = trace.getActiveSpan()?.spanContext();
    const line = {
      requestId: c.var.requestId,
      method: c.req.method,
      path: loggablePath(c.req.path),
      route,
      status,
      ms: Math.round(seconds * 1000),
      // With tracing on, the line leads to the request's trace.
      ...(span && trace.isSpanContextValid(span) ? { traceId: span.traceId } : {}),
    };
    if (status >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * GET /metrics for a scraper with METRICS_TOKEN as its bearer token (401 otherwise). Compared
 * through digests, so neither the token's content nor its length shows in the timing.
 */
export function metricsEndpoint(metrics: ApiMetrics, token: string): MiddlewareHandler<AppEnv> {
  const expected = digest(`Bearer ${token}`);
  return async (c) => {
    const given = digest(c.req.header('authorization') ?? '');
    if (!timingSafeEqual(given, expected)) return c.json({ error: { code: 'unauthenticated', message: 'A scraper sends METRICS_TOKEN as its bearer token.' } }, 401);
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  };
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * The request's span, the root of its trace (or a child of the caller's `traceparent`): the
 * Temporal client's spans (StartWorkflow, StartWorkflowUpdate) and through them the workflow's
 * and its activities' hang under it. Named and labelled by route pattern, never by path. With
 * tracing off the tracer is OpenTelemetry's no-op one.
 */
export function requestSpan(): MiddlewareHandler<AppEnv> {
  const tracer = trace.getTracer('groeipad-api');
  return async (c, next) => {
    const parent = propagation.extract(context.active(), c.req.raw.headers, headerGetter);
    const span = tracer.startSpan(c.req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': c.req.method } }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = routeLabel(c);
      span.updateName(`${c.req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status, 'groeipad.request_id': c.var.requestId });
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
