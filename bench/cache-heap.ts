import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { pathWorkflowId, WORKFLOW_TYPE } from '../domain/messages.js';
import { createWorkers, WORKFLOWS_PATH } from '../worker/create-worker.js';
import { startTestStack } from '../tests/support/stack.js';
import { pool } from './stats.js';

/**
 * The V8 heap one cached path holds, measured on the heap itself rather than from the RSS: a path
 * Worker in debug mode runs its workflows in this thread (the same reusable VM context as the
 * workflow thread), so this thread's heap after a full collection holds the cache. Paths are
 * opened in steps and stay cached (the cache is larger than the paths); the figure per path is
 * the slope between the steps, so the worker's own fixed heap falls out.
 *
 * Twice: with the bundle the worker runs (the workflows and the tracing interceptors), and with
 * the workflows alone, the baseline that shows what the interceptors cost.
 */
export async function cacheHeapBench(o: { paths: number; steps: number; concurrency: number; temporalCli: EphemeralServerExecutable }) {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const untraced = join(tmpdir(), `groeipad-bench-untraced-${randomUUID()}.js`);
  await writeFile(untraced, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet })).code);
  try {
    return {
      worker: await heapPerCachedPath(o),
      workflowsAlone: await heapPerCachedPath({ ...o, bundlePath: untraced }),
    };
  } finally {
    await rm(untraced, { force: true });
  }
}

async function heapPerCachedPath(o: { paths: number; steps: number; concurrency: number; temporalCli: EphemeralServerExecutable; bundlePath?: string }) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const stack = await startTestStack({}, { temporalCli: o.temporalCli, worker: 'none' });
  const taskQueue = `bench-cache-heap-${randomUUID()}`;
  const config = { ...stack.config, TEMPORAL_TASK_QUEUE: taskQueue, ...(o.bundlePath ? { WORKFLOW_BUNDLE_PATH: o.bundlePath } : {}) };
  const workers = await createWorkers(config, { connection: stack.temporal.nativeConnection, debugMode: true, maxCachedWorkflows: o.paths + 10 });
  const running = workers.run();
  try {
    const siteId = await stack.site('Cache heap bench');
    const { rows } = await stack.sql.query<{ id: string }>(
      `insert into public.participants (site_id, referral_source, identity_key, consent_email)
       select $1, 'self', 'bench-' || g || '-' || $3, false from generate_series(1, $2) g returning id`,
      [siteId, o.paths, randomUUID()],
    );
    const heapAfterCollecting = async () => {
      // Let the last tasks' completions and promises settle, then collect twice (weak refs, finalizers).
      await new Promise((r) => setTimeout(r, 2000));
      gc();
      gc();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    const samples: Array<{ cached: number; heapUsedMb: number }> = [];
    let opened = 0;
    // One path first, so the bundle's modules and the Worker's caches are in the first sample.
    for (const target of [1, ...Array.from({ length: o.steps }, (_, i) => Math.round(((i + 1) * o.paths) / o.steps))]) {
      await pool(target - opened, o.concurrency, async (i) => {
        const participantId = rows[opened + i]!.id;
        await stack.temporal.client.workflow.start(WORKFLOW_TYPE, {
          taskQueue,
          workflowId: pathWorkflowId(participantId),
          args: [{ participantId, siteId, coachId: null, referralSource: 'self', timings: stack.config.timings }],
        });
      });
      opened = target;
      // Every path has run its start effects and sits on its timers.
      for (;;) {
        const { rows: done } = await stack.sql.query<{ n: number }>('select count(*)::int as n from public.paths where site_id = $1', [siteId]);
        if (done[0]!.n >= opened) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const cached = workers.paths.getStatus().numCachedWorkflows;
      if (cached < opened) throw new Error(`cache heap: ${cached} cached for ${opened} open paths; the cache should hold them all`);
      samples.push({ cached, heapUsedMb: round(await heapAfterCollecting()) });
    }
    const first = samples[0]!;
    const last = samples.at(-1)!;
    return {
      samples,
      perCachedPathKb: Math.round(((last.heapUsedMb - first.heapUsedMb) * 1024) / (last.cached - first.cached)),
    };
  } finally {
    workers.shutdown();
    await running.catch(() => {});
    await stack.stop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
