import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { configSchema } from '../infra/config.js';
import { WORKFLOWS_PATH, workflowSandboxOptions } from '../worker/create-worker.js';
import { tracingSinks, WORKFLOW_INTERCEPTOR_MODULES } from '../worker/tracing.js';
import { historyFromFile } from '../tests/support/history-files.js';
import { summarize } from './stats.js';
import { noopShaped, noopShapedAction } from './workflows/noop-shaped.js';

/**
 * Time to replay the committed 18-month history of the current workflow code, against a no-op
 * baseline replayed the same way in the same run (bench/noop-path-history.json: a workflow that
 * only accepts six updates, bench/workflows/noop-path.ts), and history events per simulated year.
 * Both are bundled as the worker bundles its code (with the tracing interceptors), replayed with
 * the worker's sandbox settings (WORKER_WORKFLOW_STACK_TRACES, WORKER_WORKFLOW_DEADLOCK_SECONDS:
 * their defaults, or what the environment sets), and the history is the one this code records
 * (`workflow-spans` marker), so the replay is what a cache miss costs a worker today. The replays
 * are interleaved in rounds, so load on the machine falls on both alike.
 *
 * A second baseline has the path's shape without its work (bench/workflows/noop-shaped.ts): as
 * many activations as the path's history (workflow tasks plus local-activity results, each
 * resolved in an activation of its own), recorded on the dev server at the start of the run with
 * this SDK, without the path's spans (its history has no `workflow-spans` marker). It is what any
 * workflow that writes before it answers, as often as a path does, costs to replay here; our
 * rules, state and spans are the difference.
 */
/** The 18-month path as the current code records it, and as the code before the kept deadline timer did. */
const CURRENT_HISTORY = 'eighteen-month-path-kept-deadline-timer';
const PREVIOUS_HISTORY = 'eighteen-month-path-workflow-spans';

export async function replayBench(o: { repeats: number; root: string; temporalCli: EphemeralServerExecutable }) {
  const history = historyFromFile(await readFile(join(o.root, `tests/histories/${CURRENT_HISTORY}.json`), 'utf8'));
  const previousHistory = historyFromFile(await readFile(join(o.root, `tests/histories/${PREVIOUS_HISTORY}.json`), 'utf8'));
  const noopHistory = historyFromFile(await readFile(join(o.root, 'bench/noop-path-history.json'), 'utf8'));
  const settings = configSchema.pick({ WORKER_WORKFLOW_STACK_TRACES: true, WORKER_WORKFLOW_DEADLOCK_SECONDS: true }).parse(process.env);
  const sandbox = workflowSandboxOptions(settings);
  const activations = countActivations(history);
  const shapedHistory = await recordShapedNoop(o, Math.max(1, Math.round((activations.total - 1) / 2)), sandbox);
  const events = history.events.length;
  const first = Number(history.events[0]?.eventTime?.seconds ?? 0);
  const lastEvent = Number(history.events.at(-1)?.eventTime?.seconds ?? 0);
  const years = (lastEvent - first) / (365.25 * 86_400);
  // As the worker bundles them (with the tracing interceptors).
  const bundle = (workflowsPath: string) => bundleWorkflowCode({ workflowsPath, logger: quietLogger, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES });
  const [pathBundle, noopBundle, shapedBundle] = await Promise.all([bundle(WORKFLOWS_PATH), bundle(join(o.root, 'bench/workflows/noop-path.ts')), bundle(SHAPED_WORKFLOWS)]);
  const path: number[] = [];
  const previous: number[] = [];
  const noop: number[] = [];
  const shaped: number[] = [];
  const rounds = 4;
  const perRound = Math.ceil(o.repeats / rounds);
  for (let round = 0; round < rounds; round += 1) {
    path.push(...(await replayTimes(pathBundle, history, perRound, sandbox)));
    previous.push(...(await replayTimes(pathBundle, previousHistory, perRound, sandbox)));
    noop.push(...(await replayTimes(noopBundle, noopHistory, perRound, sandbox)));
    shaped.push(...(await replayTimes(shapedBundle, shapedHistory, perRound, sandbox)));
  }
  const replayMs = summarize(path);
  const noopReplayMs = summarize(noop);
  return {
    events,
    noopEvents: noopHistory.events.length,
    stackTraces: settings.WORKER_WORKFLOW_STACK_TRACES,
    deadlockSeconds: settings.WORKER_WORKFLOW_DEADLOCK_SECONDS,
    simulatedYears: Math.round(years * 100) / 100,
    eventsPerYear: Math.round(events / years),
    replayMs,
    noopReplayMs,
    // The same path recorded by the code before (a run that started then replays so on a cache miss).
    previousHistory: PREVIOUS_HISTORY,
    previousEvents: previousHistory.events.length,
    previousReplayMs: summarize(previous),
    ratioP50: Math.round((replayMs.p50 / noopReplayMs.p50) * 100) / 100,
    activations,
    /** The path's shape without its work: as many activations, each an empty update or local activity. */
    shapedNoop: { events: shapedHistory.events.length, activations: countActivations(shapedHistory), replayMs: summarize(shaped) },
    ratioToShapedP50: Math.round((replayMs.p50 / summarize(shaped).p50) * 100) / 100,
  };
}

const SHAPED_WORKFLOWS = fileURLToPath(new URL('./workflows/noop-shaped.ts', import.meta.url));

type History = proto.temporal.api.history.v1.History;

/**
 * A replay's activations: one per workflow task, and one per local-activity result (the core
 * resolves each in an activation of its own, after the one that scheduled it).
 */
function countActivations(history: History): { workflowTasks: number; localActivities: number; total: number } {
  const workflowTasks = history.events.filter((e) => e.workflowTaskCompletedEventAttributes).length;
  const localActivities = history.events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
  return { workflowTasks, localActivities, total: workflowTasks + localActivities };
}

/** Records the shaped no-op with `updates` updates on a dev server of its own, with the worker's sandbox settings. */
async function recordShapedNoop(o: { temporalCli: EphemeralServerExecutable }, updates: number, sandbox: { isolateExecutionTimeout: number }): Promise<History> {
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: o.temporalCli } });
  try {
    const taskQueue = 'bench-noop-shaped';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: SHAPED_WORKFLOWS, activities: { noopWrite: async () => {} }, ...sandbox });
    return await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(noopShaped, { taskQueue, workflowId: 'noop-shaped', args: [updates] });
      for (let i = 0; i < updates; i += 1) await handle.executeUpdate(noopShapedAction, { args: [`action-${i}`] });
      await handle.result();
      return proto.temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
    });
  } finally {
    await env.teardown();
  }
}

/**
 * One replay worker replays the history again and again, as a worker does on a cache miss; each
 * sample is the time from one history's result to the next (the first, with the worker's start, is left out).
 */
async function replayTimes(
  workflowBundle: { code: string },
  history: ReturnType<typeof historyFromFile>,
  repeats: number,
  sandbox: { isolateExecutionTimeout: number },
): Promise<number[]> {
  const samples: number[] = [];
  const copies = Array.from({ length: repeats + 1 }, (_, i) => ({ workflowId: `replay-${i}`, history }));
  let last = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'bench-replay', sinks: tracingSinks(undefined), ...sandbox }, copies)) {
    if (result.error) throw result.error;
    const now = performance.now();
    if (last > 0) samples.push(now - last);
    last = now;
  }
  return samples;
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
