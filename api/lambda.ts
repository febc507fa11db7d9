import { handle, type LambdaEvent, type LambdaContext } from 'hono/aws-lambda';
import type { Client } from '@temporalio/client';
import { withSecretsFromExtension } from '../infra/aws-secrets.js';
import { loadConfig } from '../infra/config.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { assertClusterReady } from '../infra/temporal/cluster-check.js';
import { temporalClient } from '../infra/temporal/connection.js';
import { setUpTracing } from '../infra/tracing.js';
import { createApp } from './app.js';
import type { ApiDeps } from './context.js';

/**
 * The same app as api/server.ts, as an AWS Lambda handler (API Gateway HTTP API v1/v2 events,
 * Lambda function URLs, ALB) through Hono's adapter. The configuration comes from the function's
 * environment (the variables in the README), with secrets read from Secrets Manager where the
 * environment names them (`<NAME>_SECRET_ARN`, infra/aws-secrets.ts); the Temporal connection is
 * made on the first request and kept for as long as the execution environment lives.
 *
 * Like api/server.ts, a cold start checks once that the namespace has what the paths need
 * (two small calls, next to the connection's own): a function that accepted intakes whose paths
 * then fail their first workflow task would look healthy while nothing moves. A failed check
 * fails that invocation with the one line (no process to exit here) and is tried again on the
 * next, so `npm run temporal:setup` heals it without a new deployment; it is never repeated per
 * request once it has passed.
 *
 * Deployed by infra/deploy (bundled by infra/deploy/api-bundle.ts, handler `index.handler`).
 */

export function createLambdaHandler(deps: ApiDeps) {
  return handle(createApp(deps));
}

type Handler = ReturnType<typeof createLambdaHandler>;

let ready: Promise<{ handler: Handler; temporal: Client }> | undefined;

async function build(): Promise<{ handler: Handler; temporal: Client }> {
  const config = loadConfig(await withSecretsFromExtension(process.env));
  // A frozen environment may hold spans not yet sent; the next invocation sends them.
  setUpTracing({ serviceName: 'groeipad-api', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const temporal = await temporalClient(config);
  try {
    await assertClusterReady(temporal.connection, config.TEMPORAL_NAMESPACE);
  } catch (err) {
    await temporal.connection.close();
    throw err;
  }
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
