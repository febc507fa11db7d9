import * as wf from '@temporalio/workflow';

/**
 * The timer burst's baseline: what the orchestration alone does on this machine. Like a path in
 * the burst's set-up it is started and takes two updates; then it sleeps until the instant it was
 * given and runs one local activity that only reports that it fired. No database, no email, no
 * rules: the floor under the real burst's drain and set-up.
 */
export const noopStep = wf.defineUpdate<number, [string]>('noopStep');

const { fired } = wf.proxyLocalActivities<{ fired(workflowId: string): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function noopTimer(at: number): Promise<void> {
  let steps = 0;
  wf.setHandler(noopStep, () => (steps += 1), {
    validator: (kind: string) => {
      if (!kind) throw new Error('kind required');
    },
  });
  await wf.condition(() => steps >= 2);
  await wf.sleep(Math.max(1, at - Date.now()));
  await fired(wf.workflowInfo().workflowId);
}
