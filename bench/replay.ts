import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/create-worker.js';
import { historyFromFile } from '../tests/support/history-files.js';
import { summarize } from './stats.js';

/** Time to replay the committed 18-month history of the current workflow code, and history events per simulated year. */
export async function replayBench(o: { repeats: number; root: string }) {
  const text = await readFile(join(o.root, 'tests/histories/eighteen-month-path-local-effects.json'), 'utf8');
  const history = historyFromFile(text);
  const events = history.events.length;
  const first = Number(history.events[0]?.eventTime?.seconds ?? 0);
  const lastEvent = Number(history.events.at(-1)?.eventTime?.seconds ?? 0);
  const years = (lastEvent - first) / (365.25 * 86_400);
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  // One replay worker replays the history again and again, as a worker does on a cache miss;
  // each sample is the time from one history's result to the next.
  const samples: number[] = [];
  const copies = Array.from({ length: o.repeats + 1 }, (_, i) => ({ workflowId: `replay-${i}`, history }));
  const workerStart = performance.now();
  let last = workerStart;
  let firstIncludingWorker = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'bench-replay' }, copies)) {
    if (result.error) throw result.error;
    const now = performance.now();
    if (firstIncludingWorker === 0) firstIncludingWorker = now - workerStart;
    else samples.push(now - last);
    last = now;
  }
  return {
    events,
    simulatedYears: Math.round(years * 100) / 100,
    eventsPerYear: Math.round(events / years),
    replayMs: summarize(samples),
    firstReplayWithWorkerStartMs: Math.round(firstIncludingWorker),
  };
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
