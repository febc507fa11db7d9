import { Hono, type Context } from 'hono';
import { LINK_PATHS } from '../activities/access-links.js';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { createLogger } from '../infra/logger.js';
import { authenticate, hasSessionCookie, ProfileCache } from './auth.js';
import { BriefCache } from './brief-cache.js';
import type { ApiDeps, AppEnv } from './context.js';
import { ApiError, ERROR_STATUS, errorBody, type ErrorCode } from './errors.js';
import { ApiMetrics, metricsEndpoint, requestSpan, requestTelemetry } from './observability.js';
import { openApiDocument } from './openapi.js';
import { ISSUER_PATH, JWKS_PATH, issuerProfile, publishedKeys } from './passport.js';
import { esfEntryApi } from './routes/esf-entry.js';
import { groupMomentsApi } from './routes/group-moments.js';
import { optOutRoutes } from './routes/opt-out.js';
import { participantsApi } from './routes/participants.js';
import { reportsApi } from './routes/reports.js';
import { tasksApi } from './routes/tasks.js';
import { renderer } from './web/layout.js';
import { ErrorPage } from './web/pages/error.js';
import { myPathPages } from './web/my-path.js';
import { partnerLinkPages } from './web/partner-link-pages.js';
import { signInPage, webPages } from './web/routes.js';
import { STYLESHEET } from './web/styles.js';

/** Requests larger than this are refused (413): forms and JSON bodies are small. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'];

/** JSON for the API and the service endpoints; HTML pages for everything else. */
function wantsJson(c: Context): boolean {
  const path = c.req.path;
  return path === '/api' || path.startsWith('/api/') || path === '/health' || path === '/ready';
}

const PAGE_TITLES: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Meld je eerst aan',
  forbidden: 'Geen toegang',
  not_found: 'Niet gevonden',
  method_not_allowed: 'Niet ondersteund',
  payload_too_large: 'Te groot',
  unavailable: 'Even niet beschikbaar',
  internal: 'Er ging iets mis',
};

/** Builds the HTTP app from its dependencies; api/server.ts (Node) and api/lambda.ts (AWS Lambda) only start it. */
export function createApp(given: ApiDeps): Hono<AppEnv> {
  const logger = given.logger ?? createLogger({ level: given.config.logLevel, base: { service: 'api' } });
  const deps: ApiDeps = { ...given, logger, access: given.access ?? new BriefCache(given.config.ACCESS_CACHE_SECONDS * 1000) };
  const metrics = new ApiMetrics();
  const app = new Hono<AppEnv>();
  const publicOrigin = new URL(deps.config.PUBLIC_URL).origin;

  const fail = (c: Context<AppEnv>, code: ErrorCode, message: string, fields?: Record<string, string>) => {
    const status = ERROR_STATUS[code];
    if (wantsJson(c)) return c.json(errorBody(c, code, message, fields), status);
    if (code === 'unauthenticated') return c.redirect(`${signInPage(deps.config)}?terug=${encodeURIComponent(c.req.path)}`, 303);
    c.status(status);
    return c.render(ErrorPage({ title: PAGE_TITLES[code] ?? 'Dit lukt niet', message, requestId: c.var.requestId }), { title: PAGE_TITLES[code] ?? 'Fout' });
  };

  app.use(requestId());
  app.use(requestSpan());
  app.use(requestTelemetry(logger, metrics));
  // The app answers GET, HEAD and POST only (and OPTIONS for preflights): any other method —
  // TRACE, PUT, DELETE … — is refused as such (405 with Allow), not as a missing page.
  app.use(async (c, next) => {
    if (ALLOWED_METHODS.includes(c.req.method)) return next();
    c.header('Allow', ALLOWED_METHODS.join(', '));
    return fail(c, 'method_not_allowed', 'Deze methode wordt niet ondersteund.');
  });
  app.use(
    secureHeaders({
      // No scripts at all; styles from our stylesheet (and the opt-out page's own inline style).
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      // Browsers then still send Origin on same-origin form posts (the CSRF check reads it),
      // and no participant URL leaks to another site.
      referrerPolicy: 'same-origin',
      // A page may set a stricter header of its own (the signed-link pages send no referrer at all).
      overwrite: false,
    }),
  );
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use(renderer);
  // Forms (urlencoded, multipart, text/plain or no body) must come from our own pages: the
  // Origin is this request's own or PUBLIC_URL's, or the browser says Sec-Fetch-Site:
  // same-origin. Exempt are requests a forged form cannot make count: with a bearer token (no
  // browser adds one), and API calls without the session cookie (they are not signed in).
  // Pages behind a signed link send no referrer, so a browser posts their forms with `Origin:
  // null`; there the token in the address is the credential (a forged form would need it), so
  // null is accepted for them — old browsers without Sec-Fetch-Site could not post otherwise.
  const linkPaths = Object.values(LINK_PATHS).map((path) => `${path}/`);
  const checkOrigin = csrf({
    origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin || (origin === 'null' && linkPaths.some((p) => c.req.path.startsWith(p))),
  });
  app.use((c, next) => {
    if (c.req.header('authorization')?.startsWith('Bearer ')) return next();
    if (wantsJson(c) && !hasSessionCookie(c)) return next();
    return checkOrigin(c, next);
  });
  app.use(
    bodyLimit({
      maxSize: BODY_LIMIT_BYTES,
      onError: (c) => fail(c as Context<AppEnv>, 'payload_too_large', 'Het verzoek is te groot.'),
    }),
  );
  // Before sign-in: the scraper's bearer token is METRICS_TOKEN, not a session. Without a token
  // configured there is no endpoint (a 404 like any unknown page).
  if (deps.config.METRICS_TOKEN) app.get('/metrics', metricsEndpoint(metrics, deps.config.METRICS_TOKEN));
  // The stylesheet needs nobody's session (and must not refresh it alongside the page).
  const signIn = authenticate(new ProfileCache(deps.config.PROFILE_CACHE_SECONDS * 1000));
  app.use((c, next) => (c.req.path.startsWith('/static/') ? next() : signIn(c, next)));

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
  app.get('/static/app.css', (c) => c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));

  // The growth passport's public key set and issuer profile: what a verifier needs, for anyone,
  // from anywhere (a verifier in a browser too). Under PUBLIC_URL, apart from Supabase Auth's
  // own keys (SUPABASE_URL/auth/v1/.well-known/jwks.json), which sign sessions, not passports.
  app.get(JWKS_PATH, (c) => c.json(publishedKeys(deps.config), 200, { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' }));
  app.get(ISSUER_PATH, (c) => c.json(issuerProfile(deps.config), 200, { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' }));

  const document = openApiDocument(deps.config);
  app.get('/api/openapi.json', (c) => c.json(document));
  app.route('/api', participantsApi);
  app.route('/api', tasksApi);
  app.route('/api', reportsApi);
  app.route('/api', groupMomentsApi);
  app.route('/api', esfEntryApi);
  app.route('/afmelden', optOutRoutes);
  app.route('/', partnerLinkPages());
  app.route('/mijn-pad', myPathPages());
  app.route('/', webPages());

  app.notFound((c) => fail(c, 'not_found', 'Deze pagina bestaat niet.'));
  app.onError((err, c) => {
    if (err instanceof ApiError) return fail(c, err.code, err.message, err.fields);
    if (err instanceof HTTPException && err.status === 403) {
      // hono/csrf: a form from another site.
      return fail(c, 'forbidden', 'Dit formulier komt niet van groeipad zelf; open de pagina opnieuw en probeer nog eens.');
    }
    if (err instanceof HTTPException && err.status < 500) return err.getResponse();
    c.var.log.error({ err }, 'unexpected error');
    return fail(c, 'internal', 'Er ging iets mis aan onze kant.');
  });
  return app;
}
