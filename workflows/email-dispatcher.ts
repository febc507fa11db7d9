import * as wf from '@temporalio/workflow';
import type { DispatchActivities } from '../activities/contract.js';
import { emailsQueued } from '../domain/messages.js';

/**
 * Sends what the paths queued: one dispatcher runs the delivery activity whenever an email was
 * queued, so all emails of all paths share one sender and one rate limit. It holds no state but
 * "something was queued" and the task queue it belongs on, and sleeps on a signal, not on a
 * timer, so a server skipping time (tests) does not spin it.
 */
const { deliverQueuedEmails } = wf.proxyActivities<DispatchActivities>({
  startToCloseTimeout: '10 minutes',
  // Delivery heartbeats after every batch and while it waits for a provider's retry-after.
  heartbeatTimeout: '30 seconds',
  // No maximum attempts: a provider that is down (or a wrong API key) must not drop emails; they
  // stay queued and go out when it answers again.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** How long one delivery activity may run before it reports back (and is called again). */
const DELIVERY_SLICE_SECONDS = 120;

/**
 * Dispatchers started before the email queue existed run on the path queue, where 10,000 timers
 * due at once keep them waiting; the first signal that names the email queue moves them there
 * (continue-as-new onto it; the delivery activity follows the workflow's queue). Histories from
 * before never named a queue, so they never reach the move.
 */
export const DISPATCHER_MOVES_TO_ITS_QUEUE = 'dispatcher-moves-to-its-queue';

export async function emailDispatcher(): Promise<void> {
  // A new run (first start or continue-as-new) looks at the queue once before it sleeps.
  let queued = true;
  let belongsOn: string | undefined;
  wf.setHandler(emailsQueued, (where) => {
    queued = true;
    if (where?.taskQueue) belongsOn = where.taskQueue;
  });
  const misplaced = () => belongsOn !== undefined && belongsOn !== wf.workflowInfo().taskQueue;
  for (;;) {
    await wf.condition(() => queued);
    queued = false;
    let more = true;
    while (more) ({ more } = await deliverQueuedEmails({ maxSeconds: DELIVERY_SLICE_SECONDS }));
    if (misplaced() && wf.patched(DISPATCHER_MOVES_TO_ITS_QUEUE)) {
      // What was signalled since is looked at by the new run first thing.
      await wf.condition(wf.allHandlersFinished);
      await wf.makeContinueAsNewFunc<typeof emailDispatcher>({ taskQueue: belongsOn })();
    }
    // Only between deliveries and with nothing signalled since: the next run starts by looking anyway.
    if (!queued && wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof emailDispatcher>();
    }
  }
}
