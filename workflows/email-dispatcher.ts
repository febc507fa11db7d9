import * as wf from '@temporalio/workflow';
import type { DispatchActivities } from '../activities/contract.js';
import { emailsQueued } from '../domain/messages.js';

/**
 * Sends what the paths queued: one dispatcher per task queue runs the delivery activity whenever
 * an email was queued, so all emails of all paths share one sender and one rate limit. It holds
 * no state but "something was queued", and sleeps on a signal, not on a timer, so a server
 * skipping time (tests) does not spin it.
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

export async function emailDispatcher(): Promise<void> {
  // A new run (first start or continue-as-new) looks at the queue once before it sleeps.
  let queued = true;
  wf.setHandler(emailsQueued, () => {
    queued = true;
  });
  for (;;) {
    await wf.condition(() => queued);
    queued = false;
    let more = true;
    while (more) ({ more } = await deliverQueuedEmails({ maxSeconds: DELIVERY_SLICE_SECONDS }));
    // Only between deliveries and with nothing signalled since: the next run starts by looking anyway.
    if (!queued && wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof emailDispatcher>();
    }
  }
}
