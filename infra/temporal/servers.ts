import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

/**
 * Finds the two Temporal servers the project runs, in this order:
 *   1. an env override (TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH);
 *   2. the local cache (GROEIPAD_CACHE_DIR, default ~/.cache/groeipad);
 *   3. a build from the registries when the toolchain is here (`go` for the CLI, `mvn` + `java`
 *      for the test server), into the cache;
 *   4. the SDK's own download (serves users who have internet).
 */

/** Later CLI tags carry replace directives in go.mod and cannot be `go install`ed. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';

type Log = (line: string) => void;

export interface ResolveOptions {
  cacheDir: string;
  env?: Record<string, string | undefined>;
  log?: Log;
}

export function cliCachePath(cacheDir: string): string {
  return join(cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

export function testServerCachePath(cacheDir: string): string {
  return join(cacheDir, `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`, 'temporal-test-server');
}

export async function resolveTemporalCli(opts: ResolveOptions): Promise<EphemeralServerExecutable> {
  const { cacheDir, env = process.env, log = defaultLog } = opts;
  const override = env.TEMPORAL_CLI_PATH;
  if (override) {
    if (!existsSync(override)) throw new Error(`TEMPORAL_CLI_PATH points at ${override}, which does not exist`);
    return { type: 'existing-path', path: override };
  }
  const cached = cliCachePath(cacheDir);
  if (existsSync(cached)) return { type: 'existing-path', path: cached };
  if (await hasCommand('go')) {
    await buildCli(cached, log);
    return { type: 'existing-path', path: cached };
  }
  log('temporal: no Go toolchain here; the SDK will download the Temporal CLI');
  return { type: 'cached-download', downloadDir: join(cacheDir, 'sdk-downloads') };
}

export async function resolveTestServer(opts: ResolveOptions): Promise<EphemeralServerExecutable> {
  const { cacheDir, env = process.env, log = defaultLog } = opts;
  const override = env.TEMPORAL_TEST_SERVER_PATH;
  if (override) {
    if (!existsSync(override)) throw new Error(`TEMPORAL_TEST_SERVER_PATH points at ${override}, which does not exist`);
    return { type: 'existing-path', path: override };
  }
  const cached = testServerCachePath(cacheDir);
  if (existsSync(cached)) return { type: 'existing-path', path: cached };
  if ((await hasCommand('mvn')) && (await hasCommand('java'))) {
    await buildTestServer(cached, log);
    return { type: 'existing-path', path: cached };
  }
  log('temporal: no Maven/Java here; the SDK will download the time-skipping test server');
  return { type: 'cached-download', downloadDir: join(cacheDir, 'sdk-downloads') };
}

async function buildCli(target: string, log: Log): Promise<void> {
  const dir = join(target, '..');
  const staging = `${dir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  log(`temporal: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (about 3 minutes the first time)…`);
  const ldflags = `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION.slice(1)}`;
  await run('go', ['install', `-ldflags=${ldflags}`, `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
    log,
    label: 'go install',
  });
  await publish(staging, dir);
  log(`temporal: CLI ready at ${target}`);
}

async function buildTestServer(target: string, log: Log): Promise<void> {
  const dir = join(target, '..');
  const staging = `${dir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  log(`temporal: resolving io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION} with Maven…`);
  await writeFile(join(staging, 'pom.xml'), testServerPom());
  await run('mvn', ['-q', '-B', 'dependency:build-classpath', '-Dmdep.outputFile=classpath.txt'], { cwd: staging, log, label: 'mvn' });
  // The SDK starts this with only "<port>" and waits 5 s for it; the JVM flags keep the start
  // short (tiered C1 only, serial GC, class-data sharing on).
  const finalDir = dir;
  await writeFile(
    join(staging, 'temporal-test-server'),
    [
      '#!/bin/sh',
      '# Launches the Temporal time-skipping test server; the Temporal SDK passes the port.',
      `exec java -Xshare:auto -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(cat '${finalDir}/classpath.txt')" io.temporal.testserver.TestServer "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(join(staging, 'temporal-test-server'), 0o755);
  await publish(staging, dir);
  log(`temporal: test server ready at ${target}`);
}

function testServerPom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>groeipad.local</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/** Moves a finished build into place in one step, so a half-built cache is never used. */
async function publish(staging: string, dir: string): Promise<void> {
  if (existsSync(dir)) {
    // Another process finished first; keep theirs.
    await rm(staging, { recursive: true, force: true });
    return;
  }
  await rename(staging, dir);
}

function hasCommand(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(name, ['version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', () => resolve(true));
  });
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log: Log; label: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => opts.log(`temporal: ${opts.label} still running (${Math.round((Date.now() - started) / 1000)} s)…`), 15_000);
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) {
        opts.log(`temporal: ${opts.label} finished in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else reject(new Error(`${opts.label} failed with exit code ${code}:\n${output}`));
    });
  });
}

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}
