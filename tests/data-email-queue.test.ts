import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_DISPATCHER_TYPE, emailDispatcherId, emailsQueued } from '../domain/messages.js';
import { replayWorkflowCode } from './support/workflow-bundles.js';
import { dispatcherAddress, signalDispatcher } from '../worker/email-dispatcher.js';
import { until } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The email dispatcher runs on its own task queue, polled by a second Worker of the same process,
 * so that a backlog of path tasks cannot hold up the sending. A dispatcher that was started on
 * the path queue (before it had its own) moves there on the next signal.
 */

let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };

beforeAll(async () => {
  // A linger long enough for an intake on a busy machine; the workers look every second.
  stack = await startTestStack({ EMAIL_LINGER_SECONDS: '5', EMAIL_DISPATCH_WATCH_SECONDS: '1' });
  siteId = await stack.site('Stuyfplek Wachtrij');
  staff = await stack.person('staff', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

async function intake(firstName: string, email: string): Promise<string> {
  const res = await stack.app.request('/api/intakes', {
    method: 'POST',
    headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ siteId, firstName, lastName: 'Wachtrij', email, birthDate: '1988-04-12', consentEmail: true, referralSource: 'vdab' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { participantId: string }).participantId;
}

const to = (address: string) => stack.outbox.emails().filter((e) => e.to.includes(address));

describe('the email dispatcher has a task queue of its own', () => {
  it('moves from the path queue to its own on the first signal that names it, and its histories replay', async () => {
    const workflowId = emailDispatcherId(stack.config.TEMPORAL_TASK_QUEUE);
    // As a worker from before the email queue started it: on the path queue, a signal without arguments.
    const old = await stack.client.workflow.signalWithStart(EMAIL_DISPATCHER_TYPE, {
      workflowId,
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      signal: emailsQueued,
      signalArgs: [],
    });
    const firstRun = old.signaledRunId;
    expect((await stack.client.workflow.getHandle(workflowId, firstRun).describe()).taskQueue).toBe(stack.config.TEMPORAL_TASK_QUEUE);

    // An intake queues the welcome email; its wake-up names the email queue.
    await intake('Mila', 'mila.wachtrij@example.be');
    await until(async () => to('mila.wachtrij@example.be')[0], 'the welcome email');
    const moved = await until(async () => {
      const latest = await stack.client.workflow.getHandle(workflowId).describe();
      return latest.runId !== firstRun ? latest : undefined;
    }, 'the dispatcher to continue as new');
    expect(moved.taskQueue).toBe(stack.config.emailTaskQueue);
    expect(moved.status.name).toBe('RUNNING');
    expect((await stack.client.workflow.getHandle(workflowId, firstRun).describe()).status.name).toBe('CONTINUED_AS_NEW');

    // Emails keep going out from the new run, each once.
    await intake('Ruben', 'ruben.wachtrij@example.be');
    await until(async () => to('ruben.wachtrij@example.be')[0], 'the next welcome email');
    await new Promise((r) => setTimeout(r, 500));
    expect(to('mila.wachtrij@example.be')).toHaveLength(1);
    expect(to('ruben.wachtrij@example.be')).toHaveLength(1);

    // Both runs replay on the current code (the move is behind patched()).
    const histories = await Promise.all(
      [firstRun, moved.runId].map(async (runId) => ({ workflowId, history: await stack.client.workflow.getHandle(workflowId, runId).fetchHistory() })),
    );
    for await (const result of Worker.runReplayHistories({ ...replayWorkflowCode(), replayName: 'dispatcher-move' }, histories)) {
      expect(result.error).toBeUndefined();
    }
  });

  it('is woken once for emails that come one after another while it delivers', async () => {
    const signals = async () =>
      ((await stack.client.workflow.getHandle(dispatcherAddress(stack.config).workflowId).fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const before = await signals();
    const names = ['Anouk', 'Bram', 'Chloe', 'Daan', 'Elif', 'Finn'];
    const addresses = names.map((name) => `${name.toLowerCase()}.na-elkaar@example.be`);
    for (const [i, address] of addresses.entries()) {
      await intake(names[i]!, address);
      // Each email goes out before the next intake; the delivery keeps looking for EMAIL_LINGER_SECONDS.
      await until(async () => to(address)[0], `the welcome email to ${address}`);
    }
    // At most the first intake finds the dispatcher asleep; without lingering, each would.
    expect((await signals()) - before).toBeLessThanOrEqual(1);
    for (const address of addresses) expect(to(address)).toHaveLength(1);
  });

  it('is woken by a worker for an email that waited past stale_after with nothing else to wake it', async () => {
    const participantId = await intake('Gust', 'gust.wachtrij@example.be');
    await until(async () => to('gust.wachtrij@example.be')[0], 'the welcome email');
    // The dispatcher asleep, yet marked awake: a wake-up that was decided but never arrived.
    const { workflowId } = dispatcherAddress(stack.config);
    // Asleep: its delivery (and its linger) over, marked asleep, and nothing about to start one.
    const asleep = async () => {
      const { raw } = await stack.client.workflow.getHandle(workflowId).describe();
      const marked = (await stack.sql.query<{ awake: boolean }>('select awake from private.email_dispatch')).rows[0]!.awake === false;
      return marked && !raw.pendingActivities?.length && !raw.pendingWorkflowTask ? true : undefined;
    };
    await until(asleep, 'the dispatcher asleep', 30_000);
    await stack.sql.query("update private.email_dispatch set awake = true, woken_at = now() - interval '1 hour', stale_after = interval '1 second'");
    const signals = async () => ((await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const before = await signals();
    try {
      await stack.sql.query("insert into public.email_log (key, template, participant_id, status, params) values ($1, 'welcome', $2, 'queued', '{}')", [`test/${randomUUID()}`, participantId]);
      await until(async () => (to('gust.wachtrij@example.be').length === 2 ? true : undefined), 'the waiting email, sent after a worker woke the dispatcher');
      expect(await signals()).toBeGreaterThan(before);
    } finally {
      await stack.sql.query("update private.email_dispatch set stale_after = interval '2 minutes'");
    }
  });

  it('sends while no worker polls the path queue', async () => {
    const participantId = await intake('Noor', 'noor.wachtrij@example.be');
    await until(async () => to('noor.wachtrij@example.be')[0], 'the welcome email');

    // No path is worked on any more: only the email queue is polled.
    stack.worker.paths.shutdown();
    await until(async () => (stack.worker.paths.getState() === 'STOPPED' ? true : undefined), 'the path worker to stop');
    await stack.sql.query("insert into public.email_log (key, template, participant_id, status, params) values ($1, 'welcome', $2, 'queued', '{}')", [
      `test/${randomUUID()}`,
      participantId,
    ]);
    await signalDispatcher(stack.client, stack.config);

    await until(async () => (to('noor.wachtrij@example.be').length === 2 ? true : undefined), 'the queued email without a path worker');
    const { taskQueue } = await stack.client.workflow.getHandle(dispatcherAddress(stack.config).workflowId).describe();
    expect(taskQueue).toBe(stack.config.emailTaskQueue);
    expect(stack.worker.emails.getState()).toBe('RUNNING');
  });
});
