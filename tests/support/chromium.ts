import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * Debian's Chromium for the browser tests. When /usr/bin/chromium is missing, it is installed
 * with apt-get (printing progress); a lock folder keeps two test files from running apt-get at
 * once. Playwright drives it through its own protocol; no browser is downloaded by npm.
 */

export const CHROMIUM = '/usr/bin/chromium';
const LOCK = join(tmpdir(), 'groeipad-chromium-install.lock');

const log = (line: string) => process.stderr.write(`chromium: ${line}\n`);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    log(`$ ${command} ${args.join(' ')}`);
    const child = spawn(command, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`  ${line.trim()}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`chromium: ${LOCK} is held for too long; remove it if no install is running`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(LOCK).catch(() => {});
  }
}

/** Makes sure /usr/bin/chromium exists, installing Debian's package if needed. */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  await withLock(async () => {
    if (existsSync(CHROMIUM)) return;
    const started = Date.now();
    log(`${CHROMIUM} is missing: installing Debian's chromium package (about 20 s)…`);
    await run('apt-get', ['update']);
    await run('apt-get', ['install', '-y', 'chromium']);
    if (!existsSync(CHROMIUM)) throw new Error(`chromium: apt-get finished but ${CHROMIUM} is still missing`);
    log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  return CHROMIUM;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A phone-sized browser (390×844) with a fresh profile; `close()` removes the profile too.
 * `javaScriptEnabled: false` proves a page works without scripts (as the CSP demands anyway).
 */
export async function phoneBrowser(o: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const executablePath = await ensureChromium();
  const userDataDir = await mkdtemp(join(tmpdir(), 'groeipad-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: false,
      hasTouch: true,
      locale: 'nl-BE',
      timezoneId: 'Europe/Brussels',
      javaScriptEnabled: o.javaScriptEnabled ?? true,
    });
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
}
