import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { addDays, addMonths, formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { pathQuery, pathUpdates, pathWorkflowId, WORKFLOW_TYPE } from '../domain/messages.js';
import type { participantPath } from '../workflows/participant-path.js';
import { startTestStack } from '../tests/support/stack.js';
import { dispatcherAddress } from '../worker/email-dispatcher.js';
import { workflowSandboxOptions, workflowTaskSlotsFor } from '../worker/create-worker.js';
import { loadConfig } from '../infra/config.js';
import { pool } from './stats.js';
import { cpuBetween, cpuMsPer, cpuSnapshot } from './process-cpu.js';
import { noopStep, type noopTimer } from './workflows/noop-timer.js';

const require = createRequire(import.meta.url);

/**
 * Timer burst: N growth agreements that all reach their evaluation in the same minute, on the
 * time-skipping server with the real worker, database and outbox (which holds the sender to the
 * configured rate limit). Every evaluation task and email must exist exactly once; the emails go
 * out through Resend's batch endpoint, and the drain is compared with the least time the rate
 * limit allows: ceil(N / batch size) calls at `rate` calls per second.
 *
 * First, in the same run on a time-skipping server of its own, the baseline: N workflows of the path's shape in
 * the burst without its work (bench/workflows/noop-timer.ts: the same set-up calls, an empty local
 * activity wherever a path writes), on a Worker with the path Worker's cache, task slots, threads
 * and sandbox settings, all due at one instant. Its set-up and drain are what the orchestration
 * takes on this machine for that shape. Our spans and payload codec count as the paths' work. Its
 * server is stopped before the paths' burst starts on the stack's.
 */
export async function timerBurstBench(o: { agreements: number; rate: number; batchSize: number; concurrency: number; cache: number; threads?: number; testServer: EphemeralServerExecutable }) {
  const stack = await startTestStack(
    // The worker's own linger (the test stacks turn it off on the time-skipping server).
    { EMAIL_LINGER_SECONDS: String(loadConfig({ GROEIPAD_ENV: 'test' }).EMAIL_LINGER_SECONDS), EMAIL_RATE_LIMIT_PER_SECOND: String(o.rate), EMAIL_BATCH_SIZE: String(o.batchSize), WORKER_MAX_CACHED_WORKFLOWS: String(o.cache), ...(o.threads ? { WORKER_WORKFLOW_THREADS: String(o.threads) } : {}) },
    { timeSkipping: o.testServer, worker: 'in-process' },
  );
  try {
    const env = stack.temporal;
    const baseline = await noopBurst();
    const siteId = await stack.site('Burst');
    const coach = await stack.person('coach', siteId);
    // The coach's own notices are not part of the burst.
    await stack.sql.query('update public.profiles set email_opted_out_at = now() where id = $1', [coach.id]);
    const tag = randomUUID().slice(0, 8);
    // No consent yet: the welcome and confirmation emails of the set-up are skipped, not sent.
    const { rows } = await stack.sql.query<{ id: string }>(
      `insert into public.participants (site_id, coach_id, first_name, email, referral_source, identity_key, consent_email)
       select $1, $2, 'Deelnemer' || g, 'burst' || g || '@example.be', 'self', 'burst-' || g || '-' || $4, false
         from generate_series(1, $3) g order by g returning id`,
      [siteId, coach.id, o.agreements, tag],
    );
    const ids = rows.map((r) => r.id);

    // Signed eleven months and two days ago: the evaluation, a month before the end, is in two days
    // at 09:00 for every one of them.
    const today = toLocalDate(await env.currentTimeMs());
    const startDate = formatLocalDate(addDays(addMonths(today, -11), 2));
    const cpuAtSetup = cpuSnapshot();
    const setupStarted = performance.now();
    // In parallel, as an intake wave would be. Not with update-with-start: the Java test server
    // (1.38.0) fails executeMultiOperation under concurrency (a NullPointerException in
    // waitForUpdateResponse) and stops.
    await pool(ids.length, o.concurrency, async (i) => {
      const participantId = ids[i]!;
      const handle = await env.client.workflow.start<typeof participantPath>(WORKFLOW_TYPE, {
        taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
        workflowId: pathWorkflowId(participantId),
        args: [{ participantId, siteId, coachId: coach.id, referralSource: 'self', timings: stack.config.timings }],
      });
      await handle.executeUpdate(pathUpdates.changePhase, { args: [{ by: coach.id, to: 'focus', reason: 'ready_for_next_step' }] });
      await handle.executeUpdate(pathUpdates.signAgreement, { args: [{ by: coach.id, commitments: ['connectors_table'], privileges: [], startDate, goalNoteId: randomUUID() }] });
    });
    await waitFor(async () => (await count('select count(*)::int as n from public.agreements where site_id = $1', [siteId])) >= ids.length, 'every agreement recorded');
    await waitFor(async () => (await count("select count(*)::int as n from public.email_log where status in ('queued', 'sending')")) === 0, 'the set-up emails decided');
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const cpuAfterSetup = cpuSnapshot();
    await stack.sql.query('update public.participants set consent_email = true where site_id = $1', [siteId]);

    const view = await env.client.workflow.getHandle(pathWorkflowId(ids[0]!)).query(pathQuery);
    if (view.nextDeadline?.kind !== 'agreement_evaluation') throw new Error(`timer burst: expected the evaluation next, not ${view.nextDeadline?.kind}`);
    const requestsBefore = stack.outbox.requests().length;
    // Skip to a minute past the evaluation: every timer is due at once.
    const cpuAtDrain = cpuSnapshot();
    const burstStarted = performance.now();
    await env.sleep(view.nextDeadline.at - (await env.currentTimeMs()) + 60_000);
    const endingSoon = () => stack.outbox.emails().filter((e) => e.subject.includes('loopt binnenkort af')).length;
    await waitFor(async () => endingSoon() >= ids.length, 'every ending-soon email', 60 * 60_000);
    const drainSeconds = (performance.now() - burstStarted) / 1000;
    const cpuAfterDrain = cpuSnapshot();
    // A duplicate, if one were coming, gets the time to arrive.
    await new Promise((r) => setTimeout(r, DUPLICATE_GRACE_MS));

    // The dispatcher is signalled while it delivers, so it continues as new only between two
    // quiet moments: the longest history among its runs (the server suggests continue-as-new past
    // 4,096 events and terminates a run at 51,200), walking back from the latest run.
    const evaluationTasks = await evaluationTaskTimes(ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / 50)) === 0));
    const { longest: dispatcherHistoryEvents, signals: dispatcherSignals, types: dispatcherEventTypes } = await dispatcherRuns();
    const calls = stack.outbox.requests().slice(requestsBefore);
    const tasks = await stack.sql.query<{ n: number; participants: number }>(
      "select count(*)::int as n, count(distinct participant_id)::int as participants from public.tasks where kind = 'agreement_evaluation' and site_id = $1",
      [siteId],
    );
    const perRecipient = new Map<string, number>();
    for (const e of stack.outbox.emails()) if (e.subject.includes('loopt binnenkort af')) for (const to of e.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    const limitBoundSeconds = Math.ceil(ids.length / o.batchSize) / o.rate;
    return {
      agreements: ids.length,
      cache: o.cache,
      workflowThreads: o.threads ?? 1,
      ratePerSecond: o.rate,
      batchSize: o.batchSize,
      setupConcurrency: o.concurrency,
      setupSeconds: round(setupSeconds),
      drainSeconds: round(drainSeconds),
      limitBoundSeconds,
      ratio: round(drainSeconds / limitBoundSeconds),
      calls: calls.length,
      refusedCalls: calls.filter((c) => c.status !== 200).length,
      // The outbox refuses (429) any call over the rate: `refusedCalls` 0 means the sender kept to it.
      callsPerSecond: calls.length > 1 ? round((calls.length - 1) / ((calls.at(-1)!.at - calls[0]!.at) / 1000)) : null,
      evaluationTasks: tasks.rows[0]!.n,
      participantsWithTask: tasks.rows[0]!.participants,
      endingSoonEmails: [...perRecipient.values()].reduce((a, b) => a + b, 0),
      recipientsWithOneEmail: [...perRecipient.values()].filter((n) => n === 1).length,
      // Where a path's evaluation waited (p50 over a sample of 50 paths, ms): for a worker to take
      // its workflow task, then in the worker (replay, the local activity, completion).
      evaluationTaskWaitMs: evaluationTasks.waitMs,
      evaluationTaskRunMs: evaluationTasks.runMs,
      dispatcherHistoryEvents,
      dispatcherSignals,
      dispatcherEventTypes,
      exactlyOnce: tasks.rows[0]!.n === ids.length && tasks.rows[0]!.participants === ids.length && perRecipient.size === ids.length && [...perRecipient.values()].every((n) => n === 1),
      targetRatioAtMost: 1.1,
      targetSetupSecondsAtMost: 180,
      baseline,
      /** The real burst against the no-op burst of the same size, in the same run. */
      drainVsBaseline: round(drainSeconds / baseline.drainSeconds),
      setupVsBaseline: round(setupSeconds / baseline.setupSeconds),
      /** CPU milliseconds per agreement by process (bench/process-cpu.ts), the paths' and the no-op's. */
      cpuMsPerAgreement: {
        setup: perAgreement(cpuBetween(cpuAtSetup, cpuAfterSetup)),
        drain: perAgreement(cpuBetween(cpuAtDrain, cpuAfterDrain)),
        baselineSetup: baseline.cpuMsPerAgreement.setup,
        baselineDrain: baseline.cpuMsPerAgreement.drain,
      },
    };
  } finally {
    await stack.stop();
  }

  /**
   * N no-op timer workflows on their own task queue and Worker, with the path Worker's cache, task
   * slots, threads and sandbox settings: set up with a start and two updates each (as many in
   * flight as the real set-up), all due at one instant, skipped to, and drained.
   */
  async function noopBurst() {
    const firings = new Map<string, number>();
    const taskQueue = `bench-noop-timer-${randomUUID()}`;
    const threads = o.threads ?? stack.config.WORKER_WORKFLOW_THREADS;
    let server: TestWorkflowEnvironment | undefined;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    try {
      // A time-skipping server of its own, stopped before the paths' burst: the test server keeps
      // every workflow in memory, and the paths' burst must not run beside the baseline's 10,000.
      server = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: o.testServer } });
      const env = server;
      worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowsPath: require.resolve('./workflows/noop-timer.ts'),
        // Only the evaluation's call names its workflow; the set-up's pass ''.
        activities: { noopWrite: async (workflowId: string) => void (workflowId && firings.set(workflowId, (firings.get(workflowId) ?? 0) + 1)) },
        maxCachedWorkflows: o.cache,
        workflowThreadPoolSize: threads,
        maxConcurrentWorkflowTaskExecutions: workflowTaskSlotsFor(o.cache, threads),
        ...workflowSandboxOptions(stack.config),
      });
      let failed: unknown;
      running = worker.run().catch((err: unknown) => void (failed = err));
      const check = () => {
        if (failed) throw failed;
      };
      const at = (await env.currentTimeMs()) + 2 * 24 * 3_600_000;
      const tag = randomUUID().slice(0, 8);
      const cpuAtSetup = cpuSnapshot();
      const setupStarted = performance.now();
      await pool(o.agreements, o.concurrency, async (i) => {
        const handle = await env.client.workflow.start<typeof noopTimer>('noopTimer', { taskQueue, workflowId: `noop-timer-${tag}-${i}`, args: [at] });
        await handle.executeUpdate(noopStep, { args: ['focus'] });
        await handle.executeUpdate(noopStep, { args: ['agreement'] });
      });
      const setupSeconds = (performance.now() - setupStarted) / 1000;
      const cpuAtDrain = cpuSnapshot();
      const drainStarted = performance.now();
      await env.sleep(at - (await env.currentTimeMs()) + 60_000);
      await waitFor(async () => (check(), firings.size >= o.agreements), 'every no-op timer', 60 * 60_000);
      const drainSeconds = (performance.now() - drainStarted) / 1000;
      const cpuAfterDrain = cpuSnapshot();
      await new Promise((r) => setTimeout(r, DUPLICATE_GRACE_MS));
      check();
      return {
        cpuMsPerAgreement: { setup: perAgreement(cpuBetween(cpuAtSetup, cpuAtDrain)), drain: perAgreement(cpuBetween(cpuAtDrain, cpuAfterDrain)) },
        setupSeconds: round(setupSeconds),
        drainSeconds: round(drainSeconds),
        exactlyOnce: firings.size === o.agreements && [...firings.values()].every((n) => n === 1),
      };
    } finally {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
      await server?.teardown();
    }
  }

  /** The workflow task that ran each sampled path's evaluation (the one after its last timer fired): p50 of its wait and its run. */
  async function evaluationTaskTimes(sample: string[]): Promise<{ waitMs: number; runMs: number }> {
    const waits: number[] = [];
    const runs: number[] = [];
    const ms = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null } | undefined) =>
      e?.eventTime ? Number(e.eventTime.seconds) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : NaN;
    for (const participantId of sample) {
      const events = (await stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId)).fetchHistory()).events ?? [];
      const fired = events.findLastIndex((e) => e.timerFiredEventAttributes);
      const scheduled = events.slice(fired).find((e) => e.workflowTaskScheduledEventAttributes);
      const started = events.slice(fired).find((e) => e.workflowTaskStartedEventAttributes);
      const completed = events.slice(fired).find((e) => e.workflowTaskCompletedEventAttributes);
      if (fired < 0 || !scheduled || !started || !completed) continue;
      waits.push(ms(started) - ms(scheduled));
      runs.push(ms(completed) - ms(started));
    }
    const p50 = (xs: number[]) => round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN);
    return { waitMs: p50(waits), runMs: p50(runs) };
  }

  /** Over every run of the dispatcher, walking back from the latest: the longest run, the signals and the events by type. */
  async function dispatcherRuns(): Promise<{ longest: number; signals: number; types: Record<string, number> }> {
    const { workflowId } = dispatcherAddress(stack.config);
    let longest = 0;
    const types: Record<string, number> = {};
    let runId: string | undefined;
    for (let i = 0; i < 50; i += 1) {
      const events = (await stack.temporal.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
      longest = Math.max(longest, events.length);
      for (const e of events) {
        const type = Object.keys(e).find((k) => k.endsWith('EventAttributes'))?.replace(/EventAttributes$/, '') ?? 'unknown';
        types[type] = (types[type] ?? 0) + 1;
      }
      runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    return { longest, signals: types.workflowExecutionSignaled ?? 0, types };
  }

  function perAgreement(cpu: Record<string, number>): Record<string, number> {
    return cpuMsPer(cpu, o.agreements, 2);
  }

  async function count(text: string, values: unknown[] = []): Promise<number> {
    return (await stack.sql.query<{ n: number }>(text, values)).rows[0]!.n;
  }
}

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 30 * 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timer burst: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * How long the bench waits after the last email or firing before it counts: longer than a
 * workflow task's timeout (10 s), after which the server hands out again a task whose answer a
 * worker dropped (README, "This is an SDK bug"), the way a duplicate would come.
 */
const DUPLICATE_GRACE_MS = 12_000;
