import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verify } from 'hono/jwt';

/**
 * The part of Supabase's API gateway (Kong) that supabase-js needs: /rest/v1 forwarded to
 * PostgREST, /auth/v1 to the local auth server, an `apikey` required on every request (except
 * the routes Kong leaves open: the email link and the signing keys), and the apikey used as the
 * bearer token when no user token is sent.
 */

/** Kong's open auth routes: a link clicked in an email and the public keys carry no apikey. */
const OPEN_AUTH_ROUTES = new Set(['/auth/v1/verify', '/auth/v1/.well-known/jwks.json']);

export interface GatewayRoutes {
  postgrestUrl: string;
  /** Serves /auth/v1/* (infra/supabase/auth-server.ts). */
  auth?: (req: IncomingMessage, res: ServerResponse) => unknown;
}

export interface Gateway {
  /** The port it listens on (the one asked for, or the one the system gave for port 0). */
  port: number;
  /** Starts forwarding; until then every request gets 503. */
  route(routes: GatewayRoutes): void;
  close(): Promise<void>;
}

/**
 * Listens at once, before the services behind it are up, so that the port is held from the
 * moment it is chosen: a port found free and bound seconds later can be taken in between by
 * another process (parallel test files start stacks side by side).
 */
export async function openGateway(o: { port: number; jwtSecret: string; host?: string }): Promise<Gateway> {
  const acceptedKeys = apiKeyCheck(o.jwtSecret);
  let routes: (GatewayRoutes & { target: URL }) | undefined;
  const server: Server = createServer((req, res) => {
    if (!routes) return json(res, 503, { message: 'gateway: the services behind it are still starting' });
    handle(routes, req, res).catch((err) => {
      if (!res.headersSent) json(res, 502, { message: `gateway: ${String(err)}` });
      else res.destroy();
    });
  });

  async function handle(o2: GatewayRoutes & { target: URL }, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { target } = o2;
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, x-client-info, apikey, content-type, prefer, range, accept-profile, content-profile');
    res.setHeader('access-control-allow-methods', 'GET, POST, PATCH, PUT, DELETE, OPTIONS');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const url = new URL(req.url ?? '/', 'http://gateway');
    const isAuth = url.pathname.startsWith('/auth/v1/') && o2.auth !== undefined;
    if (!url.pathname.startsWith('/rest/v1') && !isAuth) {
      return json(res, 404, { message: 'no route matched with those values' });
    }
    if (isAuth && OPEN_AUTH_ROUTES.has(url.pathname) && req.method === 'GET') return void o2.auth!(req, res);
    const apikey = header(req, 'apikey') ?? url.searchParams.get('apikey');
    if (!apikey) return json(res, 401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
    if (!(await acceptedKeys.check(apikey))) return json(res, 401, { message: 'Invalid API key' });
    if (isAuth) {
      // GoTrue reads the user's token from Authorization; without one, Kong passes the apikey.
      if (!req.headers.authorization) req.headers.authorization = `Bearer ${apikey}`;
      return void o2.auth!(req, res);
    }
    url.searchParams.delete('apikey');
    const headers = { ...req.headers };
    delete headers.apikey;
    if (!headers.authorization) headers.authorization = `Bearer ${apikey}`;
    headers.host = target.host;
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: `${url.pathname.slice('/rest/v1'.length) || '/'}${url.search}`, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) json(res, 502, { message: `PostgREST is not reachable: ${err.message}` });
      else res.destroy();
    });
    req.pipe(upstream);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : o.port,
    route(r) {
      routes = { ...r, target: new URL(r.postgrestUrl) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Kong accepts the few apikeys it was configured with (anon, service_role) by looking them up;
 * this gateway knows only the JWT secret, so it checks a key's signature and claims once: a key
 * that passed is accepted again until it expires, without another HMAC (a key import and an
 * HMAC on every request were about 4 % of the bench process's main thread in a burst's set-up,
 * as every activity's call passes here). A key that fails is not remembered, so it is checked
 * again each time.
 */
export function apiKeyCheck(jwtSecret: string, now: () => number = Date.now): { check(apikey: string): Promise<boolean> } {
  /** Accepted keys and until when (ms; Infinity without `exp`). Few in practice: bounded all the same. */
  const accepted = new Map<string, number>();
  return {
    async check(apikey) {
      const until = accepted.get(apikey);
      if (until !== undefined && now() < until) return true;
      accepted.delete(apikey);
      let payload: { exp?: unknown };
      try {
        payload = await verify(apikey, jwtSecret, 'HS256');
      } catch {
        return false;
      }
      // Past the bound the oldest goes, as in the API's token and profile caches.
      if (accepted.size >= MAX_REMEMBERED_KEYS) accepted.delete(accepted.keys().next().value!);
      accepted.set(apikey, typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity);
      return true;
    },
  };
}

const MAX_REMEMBERED_KEYS = 100;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
