import { handle, type LambdaEvent, type LambdaContext } from 'hono/aws-lambda';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../infra/config.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { temporalClient } from '../infra/temporal/connection.js';
import { setUpTracing } from '../infra/tracing.js';
import { createApp } from './app.js';
import type { ApiDeps } from './context.js';

/**
 * The same app as api/server.ts, as an AWS Lambda handler (API Gateway HTTP API v1/v2 events,
 * Lambda function URLs, ALB) through Hono's adapter. The configuration comes from the function's
 * environment (the variables in the README); the Temporal connection is made on the first
 * request and kept for as long as the execution environment lives.
 *
 * Deploy with `handler` as the entry point (e.g. bundled with esbuild to one ESM file).
 */

export function createLambdaHandler(deps: ApiDeps) {
  return handle(createApp(deps));
}

type Handler = ReturnType<typeof createLambdaHandler>;

let ready: Promise<{ handler: Handler; temporal: Client }> | undefined;

async function build(): Promise<{ handler: Handler; temporal: Client }> {
  const config = loadConfig();
  // A frozen environment may hold spans not yet sent; the next invocation sends them.
  setUpTracing({ serviceName: 'groeipad-api', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const temporal = await temporalClient(config);
  const db = supabaseClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY);
  return { handler: createLambdaHandler({ config, db, temporal }), temporal };
}

export async function handler(event: LambdaEvent, context?: LambdaContext) {
  ready ??= build().catch((err: unknown) => {
    // A failed cold start must not poison the environment: the next invocation tries again.
    ready = undefined;
    throw err;
  });
  const built = await ready;
  return built.handler(event, context);
}

/** Closes the Temporal connection of the handler (tests; Lambda freezes the process instead). */
export async function closeLambda(): Promise<void> {
  const built = await ready?.catch(() => undefined);
  ready = undefined;
  await built?.temporal.connection.close();
}
