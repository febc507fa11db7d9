import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

/**
 * A local stand-in for Resend's HTTP API, so the real Resend SDK runs unchanged without an
 * account: the SDK is pointed at it with RESEND_BASE_URL. It keeps every message (on disk when
 * given a folder), shows them on a page a person can read, honours Idempotency-Key like Resend
 * does (the same key with another body is a 409), takes batches of up to 100 with strict or
 * permissive validation, can hold callers to a rate limit (429 with retry-after, as Resend does),
 * and can be told to fail (429 with retry-after, 500, 422) for tests.
 */

export interface StoredEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  createdAt: string;
}

export interface FailurePlan {
  /** 422 with `to` in a permissive batch refuses only that address's email, as a bad address would. */
  status: 429 | 500 | 422;
  /** How many requests fail before they succeed again. */
  times: number;
  retryAfterSeconds?: number;
  /** Only requests to this address fail (others go through); all requests when absent. */
  to?: string;
}

/** One request as received, for assertions on retries, batching and pacing. */
export interface OutboxRequest {
  at: number;
  path: string;
  status: number;
  to: string[];
  idempotencyKey?: string;
}

export interface Outbox {
  url: string;
  port: number;
  emails(): StoredEmail[];
  /** Every request received, including refused ones, for retry assertions. */
  attempts(): number;
  requests(): OutboxRequest[];
  failNext(plan: FailurePlan): void;
  /** Requests per second before a 429 (a bucket that holds one second's worth); null: no limit. */
  setRateLimit(perSecond: number | null): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startOutbox(o: { port: number; dir?: string; host?: string; rateLimitPerSecond?: number }): Promise<Outbox> {
  const file = o.dir ? join(o.dir, 'outbox.json') : undefined;
  let emails: StoredEmail[] = file && existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as StoredEmail[]) : [];
  let requests: OutboxRequest[] = [];
  let failure: FailurePlan | null = null;
  /** The body each idempotency key was first used with. */
  const bodies = new Map<string, string>();
  let limit: { perSecond: number; tokens: number; at: number } | null = null;
  const setRateLimit = (perSecond: number | null) => {
    limit = perSecond ? { perSecond, tokens: perSecond, at: Date.now() } : null;
  };
  setRateLimit(o.rateLimitPerSecond ?? null);
  /** A token bucket: `perSecond` tokens, refilled continuously; an empty bucket answers how long until the next token. */
  const takeToken = (): number => {
    if (!limit) return 0;
    const now = Date.now();
    limit.tokens = Math.min(limit.perSecond, limit.tokens + ((now - limit.at) / 1000) * limit.perSecond);
    limit.at = now;
    if (limit.tokens >= 1) {
      limit.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - limit.tokens) / limit.perSecond) * 1000);
  };
  let saving = Promise.resolve();

  const persist = () => {
    if (!file || !o.dir) return;
    const dir = o.dir;
    const snapshot = JSON.stringify(emails, null, 2);
    saving = saving.then(async () => {
      await mkdir(dir, { recursive: true });
      await writeFile(file, snapshot);
    });
  };

  const accept = (body: Record<string, unknown>, idempotencyKey: string | undefined): StoredEmail => {
    const existing = idempotencyKey ? emails.find((e) => e.idempotencyKey === idempotencyKey) : undefined;
    if (existing) return existing;
    const email: StoredEmail = {
      id: randomUUID(),
      from: String(body.from ?? ''),
      to: ([] as unknown[]).concat(body.to ?? []).map(String),
      subject: String(body.subject ?? ''),
      html: typeof body.html === 'string' ? body.html : undefined,
      text: typeof body.text === 'string' ? body.text : undefined,
      headers: (body.headers as Record<string, string> | undefined) ?? undefined,
      idempotencyKey,
      createdAt: new Date().toISOString(),
    };
    emails.push(email);
    return email;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { name: 'internal_server_error', message: String(err), statusCode: 500 }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://outbox');
    if (req.method === 'POST' && (url.pathname === '/emails' || url.pathname === '/emails/batch')) {
      const raw = await readBody(req);
      const body = JSON.parse(raw || 'null') as unknown;
      const batch = url.pathname === '/emails/batch';
      const list = (batch ? (Array.isArray(body) ? body : []) : [body ?? {}]) as Record<string, unknown>[];
      const recipients = list.map((item) => ([] as unknown[]).concat(item.to ?? []).map(String));
      const key = headerValue(req, 'idempotency-key');
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        requests.push({ at: Date.now(), path: url.pathname, status, to: recipients.flat(), ...(key ? { idempotencyKey: key } : {}) });
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        send(res, status, payload);
      };
      const refuse = (status: number, name: string, message: string, headers: Record<string, string> = {}) => reply(status, { name, message, statusCode: status }, headers);

      const waitMs = takeToken();
      if (waitMs > 0) return refuse(429, 'rate_limit_exceeded', 'Too many requests', { 'retry-after': String(Math.ceil(waitMs / 1000)) });
      const permissive = headerValue(req, 'x-batch-validation') === 'permissive';
      const targeted = failure && failure.times > 0 && (!failure.to || recipients.some((to) => to.includes(failure!.to!)));
      let refusedIndexes = new Set<number>();
      if (failure && targeted) {
        failure.times -= 1;
        const plan = failure;
        if (failure.times === 0) failure = null;
        if (plan.status === 422 && batch && permissive && plan.to) {
          refusedIndexes = new Set(recipients.flatMap((to, i) => (to.includes(plan.to!) ? [i] : [])));
        } else {
          const name = plan.status === 429 ? 'rate_limit_exceeded' : plan.status === 422 ? 'validation_error' : 'internal_server_error';
          return refuse(plan.status, name, `outbox told to fail with ${plan.status}`, plan.retryAfterSeconds !== undefined ? { 'retry-after': String(plan.retryAfterSeconds) } : {});
        }
      }
      if (batch && (list.length === 0 || list.length > 100)) return refuse(422, 'validation_error', 'A batch holds 1 to 100 emails');
      if (key) {
        const first = bodies.get(key);
        if (first !== undefined && first !== raw) return refuse(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload');
        bodies.set(key, raw);
      }
      if (batch) {
        const data: Array<{ id: string }> = [];
        const errors: Array<{ index: number; message: string }> = [];
        list.forEach((item, i) => {
          if (refusedIndexes.has(i)) errors.push({ index: i, message: 'Invalid `to` field' });
          else data.push({ id: accept(item, key ? `${key}#${i}` : undefined).id });
        });
        persist();
        return reply(200, permissive ? { data, errors } : { data });
      }
      const email = accept(list[0]!, key);
      persist();
      return reply(200, { id: email.id });
    }
    if (req.method === 'GET' && url.pathname === '/emails.json') return send(res, 200, emails);
    if (req.method === 'GET' && url.pathname.startsWith('/emails/')) {
      const email = emails.find((e) => e.id === url.pathname.slice('/emails/'.length));
      if (!email) return send(res, 404, { name: 'not_found', message: 'Email not found', statusCode: 404 });
      if ((req.headers.accept ?? '').includes('text/html')) return html(res, page(email.subject, emailPage(email)));
      return send(res, 200, { object: 'email', ...email, created_at: email.createdAt });
    }
    if (req.method === 'GET' && url.pathname === '/') return html(res, page('Uitgaande e-mails (lokaal)', listPage(emails)));
    return send(res, 404, { name: 'not_found', message: 'no such route', statusCode: 404 });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    emails: () => [...emails],
    attempts: () => requests.length,
    requests: () => [...requests],
    setRateLimit,
    failNext: (plan) => {
      failure = { ...plan };
    },
    clear: () => {
      emails = [];
      requests = [];
      bodies.clear();
      persist();
    },
    close: async () => {
      await saving;
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem}li{margin:.5rem 0}pre{white-space:pre-wrap;background:#f4f4f4;padding:1rem}</style></head><body>${body}</body></html>`;
}

function listPage(emails: StoredEmail[]): string {
  if (emails.length === 0) return '<h1>Uitgaande e-mails</h1><p>Nog geen e-mails verstuurd.</p>';
  const items = [...emails]
    .reverse()
    .map((e) => `<li><a href="/emails/${e.id}">${escape(e.subject)}</a> — aan ${escape(e.to.join(', '))} <small>${escape(e.createdAt)}</small></li>`)
    .join('');
  return `<h1>Uitgaande e-mails</h1><p>Lokale postbus: zonder RESEND_API_KEY komt elke e-mail hier terecht.</p><ul>${items}</ul>`;
}

function emailPage(e: StoredEmail): string {
  return `<p><a href="/">← alle e-mails</a></p><h1>${escape(e.subject)}</h1><p>Van: ${escape(e.from)}<br>Aan: ${escape(e.to.join(', '))}</p>
<h2>HTML</h2><iframe sandbox srcdoc="${escape(e.html ?? '')}" style="width:100%;height:24rem;border:1px solid #ccc"></iframe>
<h2>Tekst</h2><pre>${escape(e.text ?? '')}</pre>`;
}
