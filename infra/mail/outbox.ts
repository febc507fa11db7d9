import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

/**
 * A local stand-in for Resend's HTTP API, so the real Resend SDK runs unchanged without an
 * account: the SDK is pointed at it with RESEND_BASE_URL. It keeps every message (on disk when
 * given a folder), shows them on a page a person can read, honours Idempotency-Key like Resend
 * does, and can be told to fail (429 with retry-after, 500, 422) for tests.
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
  status: 429 | 500 | 422;
  /** How many requests fail before they succeed again. */
  times: number;
  retryAfterSeconds?: number;
  /** Only requests to this address fail (others go through); all requests when absent. */
  to?: string;
}

export interface Outbox {
  url: string;
  port: number;
  emails(): StoredEmail[];
  /** Every request received, including refused ones, for retry assertions. */
  attempts(): number;
  failNext(plan: FailurePlan): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startOutbox(o: { port: number; dir?: string; host?: string }): Promise<Outbox> {
  const file = o.dir ? join(o.dir, 'outbox.json') : undefined;
  let emails: StoredEmail[] = file && existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as StoredEmail[]) : [];
  let attempts = 0;
  let failure: FailurePlan | null = null;
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
      attempts += 1;
      const raw = await readBody(req);
      const body = JSON.parse(raw || 'null') as unknown;
      const recipients = ([] as unknown[]).concat(Array.isArray(body) ? body.flatMap((b) => (b as { to?: unknown }).to ?? []) : ((body as { to?: unknown } | null)?.to ?? []));
      if (failure && failure.times > 0 && (!failure.to || recipients.map(String).includes(failure.to))) {
        failure.times -= 1;
        const plan = failure;
        if (failure.times === 0) failure = null;
        if (plan.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(plan.retryAfterSeconds));
        const name = plan.status === 429 ? 'rate_limit_exceeded' : plan.status === 422 ? 'validation_error' : 'internal_server_error';
        return send(res, plan.status, { name, message: `outbox told to fail with ${plan.status}`, statusCode: plan.status });
      }
      const key = headerValue(req, 'idempotency-key');
      if (url.pathname === '/emails/batch') {
        const list = Array.isArray(body) ? (body as Record<string, unknown>[]) : [];
        const data = list.map((item, i) => ({ id: accept(item, key ? `${key}#${i}` : undefined).id }));
        persist();
        return send(res, 200, { data });
      }
      const email = accept((body ?? {}) as Record<string, unknown>, key);
      persist();
      return send(res, 200, { id: email.id });
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
    attempts: () => attempts,
    failNext: (plan) => {
      failure = { ...plan };
    },
    clear: () => {
      emails = [];
      attempts = 0;
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
