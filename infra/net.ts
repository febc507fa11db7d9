import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A port that is free now, on loopback (for test stacks that must not collide with `npm run dev`).
 * Its caller binds it later, sometimes seconds later (Postgres after initdb, PostgREST, the
 * Temporal dev server). So it is picked at random below the system's ephemeral range (where every
 * listen on port 0 and every outgoing connection takes its port, so a port found free there can be
 * gone a moment later), and claimed for a few minutes in a file that every freePort of this user
 * on this machine respects (test files run in parallel processes), so no other freePort hands it
 * out in between.
 */
export async function freePort(): Promise<number> {
  const { low, high } = portsBelowEphemeral();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (claim(port) && (await canListen(port))) return port;
  }
  throw new Error(`freePort: no free port between ${low} and ${high}`);
}

/** Long enough for a caller to bind its port (once bound, `canListen` keeps others off it). */
const CLAIM_MS = 5 * 60_000;

/** One folder per user (GROEIPAD_PORT_CLAIMS_DIR overrides it, for the test). */
function claimsDir(): string {
  return process.env.GROEIPAD_PORT_CLAIMS_DIR ?? join(tmpdir(), `groeipad-port-claims-${process.getuid?.() ?? 'user'}`);
}

/**
 * Claims the port for this process (an exclusive create), unless a claim younger than CLAIM_MS
 * holds it. Where the folder cannot be written, every port counts as unclaimed, as before claims.
 */
function claim(port: number): boolean {
  const dir = claimsDir();
  const file = join(dir, String(port));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return true;
    if (code !== 'EEXIST') throw err;
  }
  try {
    // An old claim is cleared for a later pick; this one picks another port. (Two processes
    // clearing the same old claim at once could clear a fresh one: a race within a race.)
    if (Date.now() - statSync(file).mtimeMs > CLAIM_MS) unlinkSync(file);
  } catch {
    // Cleared by another process meanwhile.
  }
  return false;
}

/** Up to 12,000 ports below the kernel's ephemeral range (Linux's default starts at 32768). */
function portsBelowEphemeral(): { low: number; high: number } {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // Not Linux: keep the default.
  }
  const high = Math.max(2048, ephemeralLow);
  return { low: Math.max(1024, high - 12_000), high };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
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
