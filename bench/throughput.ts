import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from '@temporalio/worker';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { freePort } from '../infra/net.js';
import { pathUpdates, pathWorkflowId } from '../domain/messages.js';
import { startTestStack } from '../tests/support/stack.js';
import { noopAction, type noopPath } from './workflows/noop-path.js';
import { noopShapedAction, type noopShaped } from './workflows/noop-shaped.js';
import { pool, summarize } from './stats.js';
import { cpuBetween, cpuMsPer, cpuSnapshot } from './process-cpu.js';
import { until } from '../tests/support/until.js';
import { workflowSandboxOptions, workflowTaskSlotsFor } from '../worker/create-worker.js';

const require = createRequire(import.meta.url);

/**
 * Path throughput: N participants through intake and six coach actions each via the HTTP API,
 * against a baseline in the same run: a no-op workflow doing the same start and six updates
 * through the bare Temporal client. With API_PROF=<dir> the API process writes a CPU profile there,
 * with WORKER_PROF=<dir> the worker process (each of its threads).
 *
 * A second baseline has the path's shape without its work (bench/workflows/noop-shaped.ts): the
 * same start and six updates, each running an empty local activity before it answers, as a path
 * writes its batch before it answers the coach. Between the two baselines is what that shape
 * costs on this machine; between the second and the API, what the path's own work costs.
 */
export async function throughputBench(o: { paths: number; concurrency: number; temporalCli: EphemeralServerExecutable; root: string }) {
  // The worker and the API each in their own process, as in production; this one only sends requests.
  const stack = await startTestStack({}, { temporalCli: o.temporalCli, worker: 'child' });
  const baselineQueue = `bench-noop-${randomUUID()}`;
  const shapedQueue = `bench-noop-shaped-${randomUUID()}`;
  let api: ReturnType<typeof spawn> | undefined;
  const workers: Worker[] = [];
  let baselineRunning: Promise<unknown> | undefined;
  try {
    const port = await freePort();
    api = spawn(process.execPath, [...(process.env.API_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.API_PROF] : []), '--import', 'tsx', 'api/server.ts'], {
      cwd: o.root,
      env: {
        ...process.env,
        GROEIPAD_ENV: 'test',
        PORT: String(port),
        SUPABASE_URL: stack.config.SUPABASE_URL,
        TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: stack.config.TEMPORAL_TASK_QUEUE,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    await until(async () => ((await fetch(`${base}/health`).catch(() => null))?.ok ? true : undefined), 'the API', 60_000);
    // The baselines' Workers take the path Worker's cache, task slots and sandbox settings (stack
    // traces, deadlock watch), so that all pay the same; they run in this process.
    const cache = stack.config.WORKER_MAX_CACHED_WORKFLOWS;
    const settings = {
      connection: stack.temporal.nativeConnection,
      maxCachedWorkflows: cache,
      maxConcurrentWorkflowTaskExecutions: workflowTaskSlotsFor(cache, stack.config.WORKER_WORKFLOW_THREADS),
      workflowThreadPoolSize: stack.config.WORKER_WORKFLOW_THREADS,
      ...workflowSandboxOptions(stack.config),
    };
    workers.push(await Worker.create({ ...settings, taskQueue: baselineQueue, workflowsPath: require.resolve('./workflows/noop-path.ts') }));
    workers.push(await Worker.create({ ...settings, taskQueue: shapedQueue, workflowsPath: require.resolve('./workflows/noop-shaped.ts'), activities: { noopWrite: async () => {} } }));
    let failed: unknown;
    baselineRunning = Promise.all(workers.map((w) => w.run().catch((err: unknown) => void (failed ??= err))));
    const check = () => {
      if (failed) throw failed;
    };
    const siteId = await stack.site('Bench');
    const staff = await stack.person('staff', siteId);
    const coach = await stack.person('coach', siteId);

    // Baseline: start + six updates per path through the bare client.
    const bare: Record<string, number[]> = { start: [], update: [] };
    const cpuAtBaseline = cpuSnapshot();
    const baselineStarted = performance.now();
    await pool(o.paths, o.concurrency, async (i) => {
      let t = performance.now();
      const handle = await stack.temporal.client.workflow.start<typeof noopPath>('noopPath', { taskQueue: baselineQueue, workflowId: `noop-${i}-${randomUUID()}` });
      bare.start!.push(performance.now() - t);
      for (let k = 0; k < 6; k += 1) {
        t = performance.now();
        await handle.executeUpdate(noopAction, { args: [`action-${k}`] });
        bare.update!.push(performance.now() - t);
      }
    });
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    check();

    // The path's shape without its work: the same calls, each update after an empty local activity.
    const shapedUpdates: number[] = [];
    const cpuAtShaped = cpuSnapshot();
    const shapedStarted = performance.now();
    await pool(o.paths, o.concurrency, async (i) => {
      const handle = await stack.temporal.client.workflow.start<typeof noopShaped>('noopShaped', { taskQueue: shapedQueue, workflowId: `noop-shaped-${i}-${randomUUID()}`, args: [6] });
      for (let k = 0; k < 6; k += 1) {
        const t = performance.now();
        await handle.executeUpdate(noopShapedAction, { args: [`action-${k}`] });
        shapedUpdates.push(performance.now() - t);
      }
    });
    const shapedSeconds = (performance.now() - shapedStarted) / 1000;
    check();

    // The real thing: intake and six coach actions through the API.
    const routes: Record<string, number[]> = {};
    const call = async (route: string, path: string, token: string, body: unknown) => {
      const t = performance.now();
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const elapsed = performance.now() - t;
      if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
      (routes[route] ??= []).push(elapsed);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const cpuAtApi = cpuSnapshot();
    const apiStarted = performance.now();
    const participants: string[] = [];
    await pool(o.paths, o.concurrency, async (i) => {
      const { participantId } = (await call('POST /api/intakes', '/api/intakes', staff.token, {
        siteId,
        firstName: `Bench${i}`,
        lastName: `Bench ${randomUUID().slice(0, 8)}`,
        birthDate: '1980-01-01',
        referralSource: 'self',
        coachId: coach.id,
      })) as { participantId: string };
      participants.push(participantId);
      const act = (type: string, body: unknown) => call(`POST /actions/${type}`, `/api/participants/${participantId}/actions/${type}`, coach.token, body);
      await act('signalCrisis', { kind: 'focus_crisis', move: true });
      await act('signAgreement', { commitments: ['connectors_table'], note: 'Een eigen zaak opstarten' });
      await act('logContact', { kind: 'conversation' });
      await act('logAttendance', { kind: 'open_house' });
      await act('registerStep', { status: 'needed' });
      await act('referOut', { partner: 'vdab' });
    });
    const apiSeconds = (performance.now() - apiStarted) / 1000;
    const cpuAfterApi = cpuSnapshot();

    // The API's own cost: the same action on the same path workflow, through the API and through
    // the bare client, one after the other (which goes first alternates), outside the timed run and
    // one at a time: with requests in flight the difference would be queueing for the same two
    // cores, not the API's work.
    const same: Record<'api' | 'bare', number[]> = { api: [], bare: [] };
    await pool(Math.min(participants.length, SAME_ACTION_PATHS), 1, async (i) => {
      const participantId = participants[i]!;
      const viaApi = async () => {
        const t = performance.now();
        const res = await fetch(`${base}/api/participants/${participantId}/actions/logContact`, {
          method: 'POST',
          headers: { authorization: `Bearer ${coach.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'reply' }),
        });
        if (!res.ok) throw new Error(`logContact via the API: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        same.api.push(performance.now() - t);
      };
      const viaClient = async () => {
        const t = performance.now();
        await stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId)).executeUpdate(pathUpdates.logContact, { args: [{ by: coach.id, kind: 'reply' }] });
        same.bare.push(performance.now() - t);
      };
      // An untimed action through the API first, as a coach's earlier one: the path is in the
      // worker's cache (neither side pays its replay) and its access in the API's (ACCESS_CACHE_SECONDS).
      await viaApi();
      same.api.pop();
      for (const step of i % 2 === 0 ? [viaApi, viaClient] : [viaClient, viaApi]) await step();
    });

    const perPath = (cpu: Record<string, number>) => cpuMsPer(cpu, o.paths);
    const baselinePerSecond = o.paths / baselineSeconds;
    const apiPerSecond = o.paths / apiSeconds;
    const bareUpdateP50 = summarize(bare.update!).p50;
    const actionSamples = Object.entries(routes)
      .filter(([route]) => route.startsWith('POST /actions/'))
      .flatMap(([, samples]) => samples);
    const apiActionP50 = summarize(actionSamples).p50;
    return {
      paths: o.paths,
      concurrency: o.concurrency,
      baseline: { pathsPerSecond: round(baselinePerSecond), start: summarize(bare.start!), update: summarize(bare.update!) },
      shapedBaseline: { pathsPerSecond: round(o.paths / shapedSeconds), update: summarize(shapedUpdates) },
      /** The path through the API against the same calls on a workflow of its shape without its work. */
      ratioToShaped: round(apiPerSecond / (o.paths / shapedSeconds)),
      actionVsShapedUpdateP50: round(apiActionP50 / summarize(shapedUpdates).p50),
      /**
       * CPU milliseconds per path in each run, by process (bench/process-cpu.ts): every part
       * shares the machine's cores, so a run's paths per second follow its CPU per path.
       */
      cpuMsPerPath: {
        baseline: perPath(cpuBetween(cpuAtBaseline, cpuAtShaped)),
        shapedBaseline: perPath(cpuBetween(cpuAtShaped, cpuAtApi)),
        api: perPath(cpuBetween(cpuAtApi, cpuAfterApi)),
      },
      api: { pathsPerSecond: round(apiPerSecond), routes: Object.fromEntries(Object.entries(routes).map(([r, s]) => [r, summarize(s)])) },
      ratio: round(apiPerSecond / baselinePerSecond),
      apiAddedP50Ms: round(apiActionP50 - bareUpdateP50),
      sameAction: { api: summarize(same.api), bareClient: summarize(same.bare) },
      /** What the API itself adds: the same action on the same workflow, API minus bare client, at p50. */
      apiOwnOverheadP50Ms: round(summarize(same.api).p50 - summarize(same.bare).p50),
      /** An action end to end (through the API) against a bare no-op update, at p50. */
      actionVsNoopUpdateP50: round(apiActionP50 / bareUpdateP50),
      targets: { ratioAtLeast: 0.8, apiOwnOverheadP50AtMostMs: 5, actionVsNoopUpdateP50AtMost: 2 },
    };
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await baselineRunning;
    if (api && api.exitCode === null && api.signalCode === null) {
      const exited = new Promise((r) => api!.once('exit', r));
      api.kill('SIGINT');
      await exited;
    }
    await stack.stop();
  }
}

/** Paths the same action is sent to, through each side, for the API's own overhead. */
const SAME_ACTION_PATHS = 150;

const round = (n: number) => Math.round(n * 100) / 100;
