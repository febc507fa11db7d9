import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { authenticate } from './auth.js';
import type { ApiDeps, AppEnv } from './context.js';
import { ApiError, ERROR_STATUS, errorBody } from './errors.js';
import { participantsApi } from './routes/participants.js';

/** Builds the HTTP app from its dependencies; api/server.ts only starts it. */
export function createApp(deps: ApiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(secureHeaders());
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use(
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.json(errorBody(c, 'payload_too_large', 'Het verzoek is te groot.'), 413),
    }),
  );
  app.use(authenticate());

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
    const checks = await Promise.allSettled([
      deps.db.from('sites').select('id', { head: true, count: 'exact' }).then((r) => {
        if (r.error) throw new Error(r.error.message);
      }),
      deps.temporal.connection.workflowService.getSystemInfo({}),
    ]);
    const [database, temporal] = checks.map((r) => (r.status === 'fulfilled' ? 'ok' : 'unavailable'));
    const ready = database === 'ok' && temporal === 'ok';
    return c.json({ status: ready ? 'ready' : 'unavailable', database, temporal }, ready ? 200 : 503);
  });

  app.route('/api', participantsApi);

  app.notFound((c) => c.json(errorBody(c, 'not_found', 'Deze pagina bestaat niet.'), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(c, err.code, err.message, err.fields), ERROR_STATUS[err.code]);
    process.stderr.write(`api: unexpected error (request ${c.get('requestId')}): ${err.stack ?? String(err)}\n`);
    return c.json(errorBody(c, 'internal', 'Er ging iets mis aan onze kant.'), 500);
  });
  return app;
}
