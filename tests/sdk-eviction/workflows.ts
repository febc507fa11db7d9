import * as wf from '@temporalio/workflow';
import type { ReproActivities } from './activities.js';

/**
 * The smallest workflow that shows the core's "This is an SDK bug" message under cache churn, in
 * the participant path's shape: an update handler queues a key (the update's accept and complete
 * messages wait in the core for the workflow task's completion), and the loop carries out what is
 * queued with a local activity in the same workflow task.
 */

const { record } = wf.proxyLocalActivities<ReproActivities>({ startToCloseTimeout: '1 minute' });

export const add = wf.defineUpdate<number, [string]>('add');

export async function evictionRepro(expected: number): Promise<string[]> {
  const pending: string[] = [];
  const recorded: string[] = [];
  wf.setHandler(add, (key) => {
    pending.push(key);
    return recorded.length + pending.length;
  });
  while (recorded.length < expected) {
    await wf.condition(() => pending.length > 0);
    const batch = pending.splice(0);
    await record(wf.workflowInfo().workflowId, batch);
    recorded.push(...batch);
  }
  await wf.condition(wf.allHandlersFinished);
  return recorded;
}
