import { serve } from '@hono/node-server';
import { loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { exitOnRefusal } from '../infra/startup.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { assertClusterReady } from '../infra/temporal/cluster-check.js';
import { temporalClient } from '../infra/temporal/connection.js';
import { setUpTracing } from '../infra/tracing.js';
import { createApp } from './app.js';

/**
 * Starts the API on HOST:PORT until SIGINT/SIGTERM. Refuses to start, with one line on stderr
 * and exit code 1, on a bad configuration or a namespace that lacks what the paths need: the
 * paths it would start could not run (`npm run temporal:setup`).
 */
try {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, base: { service: 'api' } });
  const tracing = setUpTracing({ serviceName: 'groeipad-api', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const temporal = await temporalClient(config);
  await assertClusterReady(temporal.connection, config.TEMPORAL_NAMESPACE);
  const app = createApp({ config, db: supabaseClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY), temporal, logger });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info({ url: `http://${config.HOST}:${info.port}`, publicUrl: config.PUBLIC_URL }, 'listening');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      void Promise.allSettled([temporal.connection.close(), tracing?.shutdown()]).finally(() => process.exit(0));
    });
  }
} catch (err) {
  exitOnRefusal(err);
}
