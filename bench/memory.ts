import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { pathWorkflowId, WORKFLOW_TYPE } from '../domain/messages.js';
import { startTestStack } from '../tests/support/stack.js';
import { pool } from './stats.js';
import { buildWorkflowBundle } from '../worker/build-bundle.js';
import { buildWorker } from '../worker/build-worker.js';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../worker/launch.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Memory: N open paths waiting on their timers, with the worker in its own process so its RSS
 * is measured alone. Target: ≤ 400 MB, bounded by the workflow cache, not by the number of paths.
 *
 * The worker is started as in production (compiled, with the flags and environment of
 * worker/launch.ts), or with `launch: 'tsx'` as `npm run dev` starts it. The settled figure is
 * taken `settle` seconds after the last path started: V8 collects and gives memory back only
 * some seconds after a burst, so a figure taken at once measures garbage; the peak is sampled
 * all along.
 */
export async function memoryBench(o: {
  open: number;
  concurrency: number;
  cache: number;
  /** WORKER_WORKFLOW_THREADS; the worker's default when not given. */
  threads?: number;
  settle: number;
  launch: 'compiled' | 'tsx';
  temporalCli: EphemeralServerExecutable;
  root: string;
}) {
  // No in-process worker: the worker under test is the child process below.
  const stack = await startTestStack({}, { temporalCli: o.temporalCli, worker: 'none' });
  const taskQueue = `bench-memory-${randomUUID()}`;
  const bundle = await buildWorkflowBundle(join(tmpdir(), `groeipad-bench-bundle-${randomUUID()}.js`));
  const args = o.launch === 'compiled' ? [...WORKER_NODE_FLAGS, await buildWorker()] : ['--import', 'tsx', 'worker/main.ts'];
  const worker = spawn(process.execPath, args, {
    cwd: o.root,
    env: {
      ...process.env,
      ...(o.launch === 'compiled' ? WORKER_ENV : {}),
      SUPABASE_URL: stack.config.SUPABASE_URL,
      TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      RESEND_BASE_URL: stack.outbox.url,
      GROEIPAD_ENV: 'test',
      WORKFLOW_BUNDLE_PATH: bundle,
      WORKER_MAX_CACHED_WORKFLOWS: String(o.cache),
      ...(o.threads ? { WORKER_WORKFLOW_THREADS: String(o.threads) } : {}),
      WORKER_MEMORY_LOG_SECONDS: '1',
      // The memory lines are at info; the test environment's default level (warn) would drop them.
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The worker's memory lines (JSON log, msg "worker memory") give its main thread's V8 heap;
  // warnings and errors pass through.
  let heap = { heapUsed: 0, heapTotal: 0, peakHeapTotal: 0 };
  createInterface({ input: worker.stdout! }).on('line', (line) => {
    let entry: { msg?: string; level?: string; heapUsed?: number; heapTotal?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      process.stderr.write(`${line}\n`);
      return;
    }
    if (entry.msg === 'worker memory' && entry.heapUsed !== undefined && entry.heapTotal !== undefined) {
      heap = { heapUsed: entry.heapUsed, heapTotal: entry.heapTotal, peakHeapTotal: Math.max(heap.peakHeapTotal, entry.heapTotal) };
    } else if (entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal') {
      process.stderr.write(`${line}\n`);
    }
  });
  const rss = () => {
    const status = readFileSync(`/proc/${worker.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  };
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rss());
    } catch {
      // the worker is not up yet
    }
  }, 250);
  try {
    const siteId = await stack.site('Memory bench');
    const { rows } = await stack.sql.query<{ id: string }>(
      `insert into public.participants (site_id, referral_source, identity_key, consent_email)
       select $1, 'self', 'bench-' || g || '-' || $3, false from generate_series(1, $2) g returning id`,
      [siteId, o.open, randomUUID()],
    );
    const started = performance.now();
    await pool(rows.length, o.concurrency, async (i) => {
      const participantId = rows[i]!.id;
      await stack.temporal.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: pathWorkflowId(participantId),
        args: [{ participantId, siteId, coachId: null, referralSource: 'self', timings: stack.config.timings }],
      });
    });
    // Wait until every path has run its start effects and sits on its timers.
    for (;;) {
      const { rows: done } = await stack.sql.query<{ n: number }>('select count(*)::int as n from public.paths where site_id = $1', [siteId]);
      if (done[0]!.n >= o.open) break;
      // A worker that refused its configuration (a cache its heap cannot hold) has said why on stderr.
      if (worker.exitCode !== null || worker.signalCode !== null) throw new Error(`the worker exited (${worker.exitCode ?? worker.signalCode}) with ${done[0]!.n} of ${o.open} paths started`);
      if (performance.now() - started > 30 * 60_000) throw new Error(`only ${done[0]!.n} of ${o.open} paths started in 30 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const secondsToOpenAll = (performance.now() - started) / 1000;
    const timeline: number[] = [];
    for (let s = 0; s < o.settle; s += 1) {
      await new Promise((r) => setTimeout(r, 1000));
      timeline.push(Math.round(rss()));
    }
    // CPU the worker spent (user + system): a smaller heap costs more collections.
    const stat = readFileSync(`/proc/${worker.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return {
      openPaths: o.open,
      workflowCache: o.cache,
      workflowThreads: o.threads ?? 1,
      launch: o.launch === 'compiled' ? `node ${WORKER_NODE_FLAGS.join(' ')} (${Object.entries(WORKER_ENV).map(([k, v]) => `${k}=${v}`).join(' ')})` : 'node --import tsx',
      workerRssMb: timeline.at(-1) ?? Math.round(rss()),
      workerRssAfter5sMb: timeline[4],
      workerPeakRssMb: Math.round(peak),
      settleSeconds: o.settle,
      workerHeapUsedMb: heap.heapUsed,
      workerPeakHeapTotalMb: heap.peakHeapTotal,
      workerCpuSeconds: Math.round((Number(stat[11]) + Number(stat[12])) / 100),
      secondsToOpenAll: Math.round(secondsToOpenAll),
      rssTimelineMb: timeline,
      targetMb: 400,
    };
  } finally {
    clearInterval(sampler);
    worker.kill('SIGINT');
    await new Promise((r) => worker.once('exit', r));
    await stack.stop();
    await rm(bundle, { force: true });
  }
}
