import * as wf from '@temporalio/workflow';

/**
 * The timer burst's baseline: the path's shape in the burst without its work. Like a path in the
 * burst's set-up it is started and takes two updates, and its first task and each update run a
 * local activity before going on, as a path writes its batch; then it sleeps until the instant it
 * was given and runs one more local activity, as a path's evaluation does. The local activities
 * are empty: no database, no email, no rules, no spans.
 */
export const noopStep = wf.defineUpdate<number, [string]>('noopStep');

const { noopWrite } = wf.proxyLocalActivities<{ noopWrite(workflowId: string): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function noopTimer(at: number): Promise<void> {
  const { workflowId } = wf.workflowInfo();
  let steps = 0;
  wf.setHandler(
    noopStep,
    async () => {
      await noopWrite('');
      return (steps += 1);
    },
    {
      validator: (kind: string) => {
        if (!kind) throw new Error('kind required');
      },
    },
  );
  await noopWrite('');
  await wf.condition(() => steps >= 2);
  await wf.sleep(Math.max(1, at - Date.now()));
  // The evaluation: the only call the bench counts (by workflow id).
  await noopWrite(workflowId);
}
