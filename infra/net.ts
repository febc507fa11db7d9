import { createServer } from 'node:net';

/** A port that is free now, on loopback (for test stacks that must not collide with `npm run dev`). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Waits until a URL answers (any status below 500). */
export async function waitFor(url: string, o: { timeoutMs: number; what: string }): Promise<void> {
  const until = Date.now() + o.timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
      last = new Error(`status ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${o.what} did not answer at ${url} within ${o.timeoutMs} ms: ${String(last)}`);
}
