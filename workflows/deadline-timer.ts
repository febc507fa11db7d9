import * as wf from '@temporalio/workflow';

/**
 * The path's one durable timer, for its next deadline. Most actions leave the deadline where it
 * was; the timer then stays, instead of being cancelled and started again (two history events and
 * two server writes an action, as `wf.condition(fn, timeout)` does). It is replaced only when the
 * deadline moves or goes away.
 */
export function deadlineTimer() {
  let current: { at: number; scope: wf.CancellationScope; fired: boolean } | undefined;
  return {
    /**
     * Resolves once `woken()` holds or the deadline at `at` (epoch ms, in the future) is reached.
     * A cancellation of the workflow rejects it, as it would a `wf.condition`.
     */
    async until(at: number | undefined, woken: () => boolean): Promise<void> {
      if (current && current.at !== at) {
        current.scope.cancel();
        current = undefined;
      }
      if (at !== undefined && !current) {
        const timer = { at, scope: new wf.CancellationScope(), fired: false };
        current = timer;
        void timer.scope
          .run(() => wf.sleep(at - Date.now()))
          .then(
            () => {
              timer.fired = true;
            },
            // Replaced (above) or the workflow cancelled: the condition below answers for the latter.
            // Anything else fails the workflow task, as it would have failed `wf.condition`.
            (err: unknown) => {
              if (!wf.isCancellation(err)) throw err;
            },
          );
      }
      const timer = current;
      await wf.condition(() => woken() || timer?.fired === true);
      if (timer?.fired) current = undefined;
    },
  };
}
