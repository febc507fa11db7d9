import * as wf from '@temporalio/workflow';

/**
 * The throughput baseline: a workflow that does nothing but accept six updates with
 * validators, so the bench can compare the real path (API, auth, database, activities) with
 * the bare cost of Temporal starts and updates on this machine.
 */
export const noopAction = wf.defineUpdate<number, [string]>('noopAction');

export async function noopPath(): Promise<number> {
  let count = 0;
  wf.setHandler(
    noopAction,
    () => {
      count += 1;
      return count;
    },
    {
      validator: (kind: string) => {
        if (!kind) throw new Error('kind required');
      },
    },
  );
  await wf.condition(() => count >= 6);
  return count;
}
