import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import './quiet.js';
import { loadConfig } from '../infra/config.js';
import { resolveTemporalCli, resolveTestServer } from '../infra/temporal/servers.js';
import { cacheHeapBench } from './cache-heap.js';
import { memoryBench } from './memory.js';
import { replayBench } from './replay.js';
import { table } from './stats.js';
import { cpuGroups } from './process-cpu.js';
import { throughputBench } from './throughput.js';
import { timerBurstBench } from './timer-burst.js';

/**
 * `npm run bench [-- --only replay,throughput,memory,cacheheap,burst --paths 1000 --concurrency 20 --open 10000
 *   --agreements 10000 --rate 2 --batch-size 100 --setup-concurrency 50]`
 * (memory and burst also take `--cache N` and `--threads N` (the worker's defaults when not given); memory `--settle 60 --launch compiled|tsx`, see bench/memory.ts; cacheheap
 *  `--cached-paths 400`, see bench/cache-heap.ts)
 * Runs on its own local stack (free ports, temporary data); writes JSON to bench/results/ and
 * prints a table. Targets are ratios against a baseline measured in the same run.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'replay,throughput,memory,cacheheap,burst' },
    paths: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '20' },
    open: { type: 'string', default: '10000' },
    repeats: { type: 'string', default: '20' },
    cache: { type: 'string' },
    threads: { type: 'string' },
    agreements: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '100' },
    settle: { type: 'string', default: '60' },
    launch: { type: 'string', default: 'compiled' },
    'cached-paths': { type: 'string', default: '400' },
    'setup-concurrency': { type: 'string', default: '50' },
  },
});
const only = new Set(values.only.split(','));
const log = (line: string) => process.stdout.write(`${line}\n`);
const temporalCli = await resolveTemporalCli({ cacheDir: loadConfig().GROEIPAD_CACHE_DIR });
const workflowCache = Number(values.cache ?? loadConfig().WORKER_MAX_CACHED_WORKFLOWS);
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  at: new Date().toISOString(),
};

if (only.has('replay')) {
  log('bench: replaying the 18-month history…');
  const r = await replayBench({ repeats: Number(values.repeats), root, temporalCli });
  results.replay = r;
  log(
    table([
      {
        events: r.events,
        'simulated years': r.simulatedYears,
        'events/year': r.eventsPerYear,
        'replay p50 ms': r.replayMs.p50,
        'p95 ms': r.replayMs.p95,
        'no-op p50 ms': r.noopReplayMs.p50,
        'no-op events': r.noopEvents,
        'before: events': r.previousEvents,
        'before: p50 ms': r.previousReplayMs.p50,
        activations: r.activations.total,
        'same shape, no work: p50 ms': r.shapedNoop.replayMs.p50,
        'its activations': r.shapedNoop.activations.total,
        'stack traces': r.stackTraces ? 'on' : 'off',
        'deadlock s': r.deadlockSeconds,
        target: '≤ 100 ms',
      },
    ]),
  );
}
if (only.has('throughput')) {
  log(`bench: ${values.paths} paths through intake + 6 actions, ${values.concurrency} in flight…`);
  const r = await throughputBench({ paths: Number(values.paths), concurrency: Number(values.concurrency), temporalCli, root });
  results.throughput = r;
  log(
    table([
      { run: 'baseline (bare client, no-op workflow)', 'paths/s': r.baseline.pathsPerSecond, 'update p50 ms': r.baseline.update.p50 },
      { run: "the path's shape, no work (an empty local activity per update)", 'paths/s': r.shapedBaseline.pathsPerSecond, 'update p50 ms': r.shapedBaseline.update.p50 },
      { run: 'groeipad API', 'paths/s': r.api.pathsPerSecond, 'update p50 ms': '' },
    ]),
  );
  const groups = cpuGroups(Object.values(r.cpuMsPerPath));
  log(table(groups.map((group) => ({ 'CPU ms per path': group, 'no-op': r.cpuMsPerPath.baseline[group] ?? 0, 'shape, no work': r.cpuMsPerPath.shapedBaseline[group] ?? 0, 'groeipad API': r.cpuMsPerPath.api[group] ?? 0 }))));
  log(table(Object.entries(r.api.routes).map(([route, s]) => ({ route, count: s.count, 'p50 ms': s.p50, 'p95 ms': s.p95, 'p99 ms': s.p99 }))));
  log(
    `ratio ${r.ratio} (target ≥ 0.8); the API's own overhead ${r.apiOwnOverheadP50Ms} ms at p50 (logContact via the API ${r.sameAction.api.p50} ms, via the bare client ${r.sameAction.bareClient.p50} ms; target ≤ 5 ms); an action end to end ${r.actionVsNoopUpdateP50}× a bare no-op update at p50 (target ≤ 2×); against the path's shape without its work: ${r.ratioToShaped}× its paths/s, an action ${r.actionVsShapedUpdateP50}× its update at p50`,
  );
}
if (only.has('memory')) {
  log(`bench: ${values.open} open paths, worker RSS…`);
  const r = await memoryBench({ open: Number(values.open), concurrency: 50, cache: workflowCache, ...(values.threads ? { threads: Number(values.threads) } : {}), settle: Number(values.settle), launch: values.launch === 'tsx' ? 'tsx' : 'compiled', temporalCli, root });
  results.memory = r;
  log(
    table([
      {
        'open paths': r.openPaths,
        cache: r.workflowCache,
        [`worker RSS MB (${r.settleSeconds} s after)`]: r.workerRssMb,
        '5 s after': r.workerRssAfter5sMb ?? '',
        'peak MB': r.workerPeakRssMb,
        'main heap used MB': r.workerHeapUsedMb,
        'worker CPU s': r.workerCpuSeconds,
        'seconds to open all': r.secondsToOpenAll,
        target: '≤ 400 MB',
      },
    ]),
  );
}
if (only.has('cacheheap')) {
  log(`bench: heap per cached path, ${values['cached-paths']} paths in the cache…`);
  const r = await cacheHeapBench({ paths: Number(values['cached-paths']), steps: 4, concurrency: 50, temporalCli });
  results.cacheHeap = r;
  log(
    table(
      r.worker.samples.map((s, i) => ({ 'cached paths': s.cached, 'heap MB, worker bundle': s.heapUsedMb, 'heap MB, workflows alone': r.workflowsAlone.samples[i]?.heapUsedMb ?? '' })),
    ),
  );
  log(`heap per cached path: ${r.worker.perCachedPathKb} KB with the worker's bundle, ${r.workflowsAlone.perCachedPathKb} KB for the workflows alone (without the tracing interceptors)`);
}
if (only.has('burst')) {
  log(`bench: ${values.agreements} agreements reaching their evaluation in the same minute, ${values.rate} calls/s, ${values['batch-size']} per batch…`);
  const testServer = await resolveTestServer({ cacheDir: loadConfig().GROEIPAD_CACHE_DIR });
  const r = await timerBurstBench({ agreements: Number(values.agreements), rate: Number(values.rate), batchSize: Number(values['batch-size']), concurrency: Number(values['setup-concurrency']), cache: workflowCache, ...(values.threads ? { threads: Number(values.threads) } : {}), testServer });
  results.burst = r;
  log(
    table([
      {
        agreements: r.agreements,
        'set-up s': r.setupSeconds,
        'drain s': r.drainSeconds,
        'limit-bound s': r.limitBoundSeconds,
        ratio: r.ratio,
        calls: r.calls,
        refused: r.refusedCalls,
        'calls/s': r.callsPerSecond ?? '',
        'exactly once': r.exactlyOnce ? 'yes' : 'NO',
        'dispatcher events': r.dispatcherHistoryEvents,
        'dispatcher signals': r.dispatcherSignals,
        'task wait/run ms': `${r.evaluationTaskWaitMs}/${r.evaluationTaskRunMs}`,
        target: '≤ 1.1',
      },
    ]),
  );
  log(
    table([
      {
        'no-op baseline': r.agreements,
        'set-up s': r.baseline.setupSeconds,
        'drain s': r.baseline.drainSeconds,
        'drain vs. limit-bound': Math.round((r.baseline.drainSeconds / r.limitBoundSeconds) * 100) / 100,
        'exactly once': r.baseline.exactlyOnce ? 'yes' : 'NO',
        'paths: set-up ×': r.setupVsBaseline,
        'paths: drain ×': r.drainVsBaseline,
      },
    ]),
  );
  const c = r.cpuMsPerAgreement;
  const groups = cpuGroups(Object.values(c));
  log(table(groups.map((group) => ({ 'CPU ms per agreement': group, 'no-op set-up': c.baselineSetup[group] ?? 0, 'paths set-up': c.setup[group] ?? 0, 'no-op drain': c.baselineDrain[group] ?? 0, 'paths drain': c.drain[group] ?? 0 }))));
}

const dir = join(root, 'bench/results');
await mkdir(dir, { recursive: true });
const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
log(`bench: results in ${file}`);
