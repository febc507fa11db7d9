import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromFile } from '../tests/support/history-files.js';
import './quiet.js';
import { summarize } from './stats.js';

/**
 * `npx tsx bench/replay-ab.ts <workflows/index.ts of A> <of B> [rounds] [repeats]`: replays the
 * 18-month history with two workflow bundles in turn (A, B, A, B, …), so that a busy machine
 * weighs on both alike. Prints each bundle's replay p50/p95 over all rounds.
 */
const [a, b, rounds = '4', repeats = '10'] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: replay-ab.ts <workflowsPathA> <workflowsPathB> [rounds] [repeats]');
const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const history = historyFromFile(await readFile(join(import.meta.dirname, '../tests/histories/eighteen-month-path-local-effects.json'), 'utf8'));
const bundles = await Promise.all([a, b].map(async (path) => ({ path, bundle: await bundleWorkflowCode({ workflowsPath: resolve(path), logger: quietLogger }) })));
const samples = new Map<string, number[]>(bundles.map((x) => [x.path, []]));
for (let round = 0; round < Number(rounds); round += 1) {
  for (const { path, bundle } of bundles) {
    const copies = Array.from({ length: Number(repeats) + 1 }, (_, i) => ({ workflowId: `replay-${i}`, history }));
    let last = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'bench-replay-ab' }, copies)) {
      if (result.error) throw result.error;
      const now = performance.now();
      // The first history includes the worker's start.
      if (last !== 0) samples.get(path)!.push(now - last);
      last = now;
    }
  }
}
for (const { path, bundle } of bundles) {
  const s = summarize(samples.get(path)!);
  process.stdout.write(`${path}: bundle ${Math.round(bundle.code.length / 1024)} KiB, ${samples.get(path)!.length} replays, p50 ${s.p50} ms, p95 ${s.p95} ms\n`);
}
