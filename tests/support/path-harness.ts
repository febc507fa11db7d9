import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { EphemeralServerExecutable, TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { afterAll, beforeAll, expect } from 'vitest';
import { allPathUpdates, pathQuery, pathWorkflowId, type PathActionType } from '../../domain/messages.js';
import type { PathView } from '../../domain/path-state.js';
import { DEFAULT_TIMINGS, type PathTimings } from '../../domain/timings.js';
import { participantPath, type PathInput } from '../../workflows/participant-path.js';
import type { CreateTaskInput, RecordEventInput, SendEmailInput } from '../../activities/contract.js';
import { recordingActivities } from './recording-activities.js';
import { startDevServerForTest, startTimeSkipping } from './temporal.js';
import { replayWorkflowCode, untracedWorkflowCode } from './workflow-bundles.js';

/** The workflow code a harness worker runs: a bundle or a path, and the sinks it needs. */
export type WorkflowCode = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors' | 'sinks'>;

/**
 * One time-skipping server and one bundled worker per test file, a fresh participant (and so a
 * fresh workflow id) per test. Activities are replaced by an idempotent in-memory recorder.
 */
/** The note id of a growth goal (the harness has no database: any id does; a goal is required). */
export const GOAL_NOTE_ID = 'dddddddd-0000-4000-8000-00000000000a';

export interface PathHarness {
  env: TestWorkflowEnvironment;
  recorder: ReturnType<typeof recordingActivities>;
  taskQueue: string;
  start(o?: { timings?: Partial<PathTimings>; maxHistoryEvents?: number; coachId?: string | null }): Promise<Path>;
  /** Advances the server's clock to an instant (no-op when it is already later). */
  skipTo(instant: number): Promise<void>;
  now(): Promise<number>;
  /** Stops the worker and starts another, on other workflow code if given (a deploy in the middle of a path). */
  restartWorker(code?: WorkflowCode): Promise<void>;
  stop(): Promise<void>;
}

export interface Path {
  participantId: string;
  coachId: string;
  handle: WorkflowHandleWithFirstExecutionRunId<typeof participantPath>;
  /** Runs an action as the path's coach (`by` is filled in; a link's action ignores it). */
  act(type: PathActionType, input?: Record<string, unknown>): Promise<PathView>;
  view(): Promise<PathView>;
  tasks(): CreateTaskInput[];
  emails(): SendEmailInput[];
  events(): RecordEventInput[];
}

/**
 * The harness of one test file, started before its tests and stopped after them; at the end no
 * effect key may have been used for two different effects. The object stands for the harness
 * once it has started (a proxy), so tests write `h.start()` as with the harness itself.
 */
export function pathHarnessPerFile(): PathHarness {
  let started: PathHarness | undefined;
  beforeAll(async () => {
    started = await startPathHarness();
  });
  afterAll(async () => {
    const collisions = started?.recorder.collisions() ?? [];
    await started?.stop();
    expect(collisions).toEqual([]);
  });
  return new Proxy({} as PathHarness, {
    get(_target, key) {
      if (!started) throw new Error('the path harness is not started yet (use it inside a test)');
      return started[key as keyof PathHarness];
    },
  });
}

/**
 * `devServer`: the Temporal dev server instead (time passes for real), for a worker restart: the
 * time-skipping server never moves a task off a stopped worker's sticky queue (it implements
 * neither the sticky timeout nor ResetStickyTaskQueue), and local activities need a cache.
 * `traced`: the workflows as the worker bundles them, with the tracing interceptors (to record
 * histories with their patch markers); otherwise the workflows alone. `code`: other workflow code.
 */
export async function startPathHarness(executable?: EphemeralServerExecutable, o: { devServer?: boolean; traced?: boolean; code?: WorkflowCode } = {}): Promise<PathHarness> {
  const env = o.devServer ? await startDevServerForTest(executable) : await startTimeSkipping(executable);
  const recorder = recordingActivities();
  const taskQueue = `paths-${randomUUID()}`;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const startWorker = async (code: WorkflowCode = o.code ?? (o.traced ? replayWorkflowCode() : untracedWorkflowCode())) => {
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      ...code,
      activities: recorder.activities,
      // A cache of two (the least the SDK takes): a workflow's local activity needs it to stay cached during its workflow
      // task, while any other path's task evicts it, so most tasks still replay the whole
      // history (a replay check on every step).
      maxCachedWorkflows: 2,
      // A restarted worker's tasks leave the old sticky queue after this (dev server only).
      stickyQueueScheduleToStartTimeout: '1 second',
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
  };
  await startWorker();

  const harness: PathHarness = {
    env,
    recorder,
    taskQueue,
    async start(o = {}) {
      const participantId = randomUUID();
      const coachId = o.coachId === null ? null : (o.coachId ?? randomUUID());
      const input: PathInput = {
        participantId,
        siteId: 'aaaaaaaa-0000-4000-8000-000000000001',
        coachId,
        referralSource: 'ocmw',
        timings: { ...DEFAULT_TIMINGS, ...o.timings },
        ...(o.maxHistoryEvents ? { maxHistoryEvents: o.maxHistoryEvents } : {}),
      };
      const handle = await env.client.workflow.start(participantPath, { workflowId: pathWorkflowId(participantId), taskQueue, args: [input] });
      const by = coachId ?? randomUUID();
      return {
        participantId,
        coachId: by,
        handle,
        act: (type, input = {}) => handle.executeUpdate(allPathUpdates[type] as typeof allPathUpdates.changePhase, { args: [{ by, ...input } as never] }),
        view: () => handle.query(pathQuery),
        tasks: () => recorder.tasks().filter((t) => t.participantId === participantId),
        // Emails about this participant: to them, or to a coach about them.
        emails: () =>
          recorder.emails().filter((e) => ('participantId' in e.recipient ? e.recipient.participantId === participantId : e.params.participantId === participantId)),
        events: () => recorder.events().filter((e) => e.participantId === participantId),
      };
    },
    async skipTo(instant) {
      const now = await env.currentTimeMs();
      if (instant > now) await env.sleep(instant - now);
    },
    now: () => env.currentTimeMs(),
    async restartWorker(code) {
      await stopWorker();
      await startWorker(code);
    },
    async stop() {
      await stopWorker();
      await env.teardown();
    },
  };
  return harness;
}
