import * as wf from '@temporalio/workflow';

/**
 * The replay's second baseline: a workflow with the 18-month path's shape and none of its work.
 * Each update runs one empty local activity before it answers, as a path writes its batch before
 * it answers the coach, so a history of N updates holds N + 1 workflow tasks and N local-activity
 * results: the activations a replay pays for, without the path's rules, state or effects.
 */
export const noopShapedAction = wf.defineUpdate<number, [string]>('noopShapedAction');

const { noopWrite } = wf.proxyLocalActivities<{ noopWrite(kind: string): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function noopShaped(updates: number): Promise<number> {
  let done = 0;
  wf.setHandler(
    noopShapedAction,
    async (kind: string) => {
      await noopWrite(kind);
      return (done += 1);
    },
    {
      validator: (kind: string) => {
        if (!kind) throw new Error('kind required');
      },
    },
  );
  await wf.condition(() => done >= updates);
  return done;
}
