import * as wf from '@temporalio/workflow';

export const release = wf.defineSignal('release');

/** Waits until released; its stack (the stack-trace query) shows it waiting here. */
export async function waitsForRelease(): Promise<void> {
  let released = false;
  wf.setHandler(release, () => {
    released = true;
  });
  await wf.condition(() => released);
}

/** Computes without ever yielding, as a loop bug in workflow code would. */
export async function spins(rounds: number): Promise<number> {
  let x = 1;
  for (let i = 0; i < rounds; i += 1) x = (x * 31 + i) % 1_000_003;
  return x;
}
