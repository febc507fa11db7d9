import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../infra/config.js';
import { workflowSandboxOptions } from '../worker/create-worker.js';
import { release, spins, waitsForRelease } from './sdk-patches/workflows.js';
import { startDevServerForTest } from './support/temporal.js';

/**
 * The SDK patch in infra/patches, applied by `npm install`: the promise hook behind the
 * stack-trace query and the per-call deadlock watch are the worker's to switch off
 * (WORKER_WORKFLOW_STACK_TRACES, WORKER_WORKFLOW_DEADLOCK_SECONDS). Without the patch (an SDK
 * upgrade it no longer applies to fails `npm install`), the hook would always be on and 0 would
 * not be a timeout Node accepts.
 */

const require = createRequire(import.meta.url);
const workflowsPath = require.resolve('./sdk-patches/workflows.ts');

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startDevServerForTest();
});
afterAll(async () => {
  await env?.teardown();
});

const DEFAULTS = configSchema.pick({ WORKER_WORKFLOW_STACK_TRACES: true, WORKER_WORKFLOW_DEADLOCK_SECONDS: true }).parse({});

async function withWorker<T>(settings: { stackTraces: boolean; deadlockSeconds: number }, body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `sdk-patches-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    ...workflowSandboxOptions({ WORKER_WORKFLOW_STACK_TRACES: settings.stackTraces, WORKER_WORKFLOW_DEADLOCK_SECONDS: settings.deadlockSeconds }),
  });
  return worker.runUntil(body(taskQueue));
}

describe('the stack-trace query', () => {
  it('is refused when stack traces are off, the default', async () => {
    expect(DEFAULTS).toEqual({ WORKER_WORKFLOW_STACK_TRACES: false, WORKER_WORKFLOW_DEADLOCK_SECONDS: 5 });
    await withWorker({ stackTraces: DEFAULTS.WORKER_WORKFLOW_STACK_TRACES, deadlockSeconds: DEFAULTS.WORKER_WORKFLOW_DEADLOCK_SECONDS }, async (taskQueue) => {
      const handle = await env.client.workflow.start(waitsForRelease, { taskQueue, workflowId: `stack-off-${randomUUID()}` });
      await expect(handle.query<string>('__stack_trace')).rejects.toThrow(/stack traces are not enabled/);
      await handle.signal(release);
      await handle.result();
    });
  });

  it('shows where the workflow waits when they are on', async () => {
    await withWorker({ stackTraces: true, deadlockSeconds: 5 }, async (taskQueue) => {
      const handle = await env.client.workflow.start(waitsForRelease, { taskQueue, workflowId: `stack-on-${randomUUID()}` });
      expect(await handle.query<string>('__stack_trace')).toMatch(/sdk-patches\/workflows\.ts:\d+/);
      await handle.signal(release);
      await handle.result();
    });
  });
});

describe('the deadlock watch', () => {
  // About half a second of computing on an idle machine; longer under load.
  const ROUNDS = 50_000_000;

  it('fails a workflow task that computes past it', async () => {
    await withWorker({ stackTraces: false, deadlockSeconds: 0.02 }, async (taskQueue) => {
      const handle = await env.client.workflow.start(spins, { taskQueue, workflowId: `deadlock-on-${randomUUID()}`, args: [ROUNDS] });
      let failure: string | undefined;
      for (let i = 0; i < 100 && !failure; i += 1) {
        const { events } = await handle.fetchHistory();
        failure = events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
        if (!failure) await new Promise((r) => setTimeout(r, 100));
      }
      expect(failure).toMatch(/timed out after 20ms/);
      await handle.terminate('test done');
    });
  });

  it('lets it finish when it is off (0)', async () => {
    await withWorker({ stackTraces: false, deadlockSeconds: 0 }, async (taskQueue) => {
      const result = await env.client.workflow.execute(spins, { taskQueue, workflowId: `deadlock-off-${randomUUID()}`, args: [ROUNDS] });
      expect(typeof result).toBe('number');
    });
  });
});
