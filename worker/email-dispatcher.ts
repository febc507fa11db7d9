import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import { EMAIL_DISPATCHER_TYPE, emailDispatcherId, emailsQueued } from '../domain/messages.js';

/** Where the dispatcher lives: its id (from the path queue) and its own task queue. */
export function dispatcherAddress(config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'emailTaskQueue'>): { workflowId: string; taskQueue: string } {
  return { workflowId: emailDispatcherId(config.TEMPORAL_TASK_QUEUE), taskQueue: config.emailTaskQueue };
}

/** Tells the dispatcher that emails were queued, starting it on its own queue when it is not running. */
export async function signalDispatcher(client: Client, config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'emailTaskQueue'>): Promise<void> {
  const { workflowId, taskQueue } = dispatcherAddress(config);
  await client.workflow.signalWithStart(EMAIL_DISPATCHER_TYPE, { workflowId, taskQueue, signal: emailsQueued, signalArgs: [{ taskQueue }] });
}

/**
 * Wakes the email dispatcher (workflows/email-dispatcher.ts). Activities that queue emails at the
 * same moment (a burst of timers) share one signal: it goes out a few milliseconds after the
 * first of them, so after every one of them has queued its email, and each caller returns only
 * once it is out — an activity that completed has woken the dispatcher whenever it was asked to
 * (paths ask only while it sleeps: activities/path-effects.ts).
 */
export function dispatcherWaker(client: Client, config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'emailTaskQueue'>, gatherMs = 10): () => Promise<void> {
  let gathering: Promise<void> | null = null;
  return () => {
    gathering ??= new Promise((resolve) => setTimeout(resolve, gatherMs)).then(() => {
      // From here on, a new caller may have queued after this signal left: it gathers anew.
      gathering = null;
      return signalDispatcher(client, config);
    });
    return gathering;
  };
}
