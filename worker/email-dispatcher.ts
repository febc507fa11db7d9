import type { Client } from '@temporalio/client';
import { EMAIL_DISPATCHER_TYPE, emailDispatcherId, emailsQueued } from '../domain/messages.js';

/**
 * Wakes the task queue's email dispatcher (workflows/email-dispatcher.ts), starting it when it is
 * not running. Activities that queue emails at the same moment (a burst of timers) share one
 * signal: it goes out a few milliseconds after the first of them, so after every one of them has
 * queued its email, and each caller returns only once it is out — an activity that completed has
 * always woken the dispatcher.
 */
export function dispatcherWaker(client: Client, taskQueue: string, gatherMs = 10): () => Promise<void> {
  let gathering: Promise<void> | null = null;
  const signal = async () => {
    await client.workflow.signalWithStart(EMAIL_DISPATCHER_TYPE, {
      workflowId: emailDispatcherId(taskQueue),
      taskQueue,
      signal: emailsQueued,
      signalArgs: [],
    });
  };
  return () => {
    gathering ??= new Promise((resolve) => setTimeout(resolve, gatherMs)).then(() => {
      // From here on, a new caller may have queued after this signal left: it gathers anew.
      gathering = null;
      return signal();
    });
    return gathering;
  };
}
