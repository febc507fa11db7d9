import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { pathWorkflowId, WORKFLOW_TYPE } from '../domain/messages.js';
import { startTestStack } from '../tests/support/stack.js';
import { pool } from './stats.js';
import { buildWorkflowBundle } from '../worker/build-bundle.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Memory: N open paths waiting on their timers, with the worker in its own process so its RSS
 * is measured alone. Target: ≤ 400 MB, bounded by the workflow cache, not by the number of paths.
 */
export async function memoryBench(o: { open: number; concurrency: number; cache: number; temporalCli: EphemeralServerExecutable; root: string }) {
  const stack = await startTestStack({}, { temporalCli: o.temporalCli });
  const taskQueue = `bench-memory-${randomUUID()}`;
  const bundle = await buildWorkflowBundle(join(tmpdir(), `groeipad-bench-bundle-${randomUUID()}.js`));
  const worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: o.root,
    env: {
      ...process.env,
      SUPABASE_URL: stack.config.SUPABASE_URL,
      TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      RESEND_BASE_URL: stack.outbox.url,
      GROEIPAD_ENV: 'test',
      WORKFLOW_BUNDLE_PATH: bundle,
      WORKER_MAX_CACHED_WORKFLOWS: String(o.cache),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
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
      if (performance.now() - started > 30 * 60_000) throw new Error(`only ${done[0]!.n} of ${o.open} paths started in 30 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const settleSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 5000));
    const settled = rss();
    return { openPaths: o.open, workflowCache: o.cache, workerRssMb: Math.round(settled), workerPeakRssMb: Math.round(peak), secondsToOpenAll: Math.round(settleSeconds), targetMb: 400 };
  } finally {
    clearInterval(sampler);
    worker.kill('SIGINT');
    await new Promise((r) => worker.once('exit', r));
    await stack.stop();
  }
}
