import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from '../../infra/config.js';
import { resolveTemporalCli } from '../../infra/temporal/servers.js';
import { tracingSinks } from '../../worker/tracing.js';
import { GOAL_NOTE_ID, startPathHarness, type WorkflowCode } from '../support/path-harness.js';
import { historyToFile } from '../support/history-files.js';
import { replayWorkflowCode, untracedWorkflowCode } from '../support/workflow-bundles.js';

/**
 * `npm run histories:record-switch`: records the runs a deploy of WorkflowSpans
 * (workflows/workflow-spans.ts) finds half-way, on the dev server (the time-skipping server
 * never moves a task off a stopped worker's sticky queue):
 * - `switch-from-otel-path`: started on BEFORE, the last build whose bundle ran OpenTelemetry's
 *   workflow interceptors (marker `tracing-interceptors`), then the worker restarted on this
 *   build (marker `workflow-spans` from its first live task on), where it continues as new
 *   (NEW_RUN_WITHOUT_OPENTELEMETRY in workflows/participant-path.ts);
 * - `switch-from-untraced-path`: started on the workflows alone, as every run before the
 *   interceptors, then the worker restarted on this build.
 * Like record.ts, it never overwrites a committed history.
 */
const BEFORE = 'abde1c0';
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function buildBefore(): Promise<{ code: WorkflowCode; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'groeipad-before-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, BEFORE], { cwd: root, stdio: 'ignore' });
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(dir, 'workflows/index.ts'),
    workflowInterceptorModules: [join(dir, 'workflows/tracing-interceptors.ts')],
    logger: quiet,
  });
  return {
    code: { workflowBundle: { code: bundle.code }, sinks: tracingSinks(undefined) },
    remove: async () => {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const cli = await resolveTemporalCli({ cacheDir: loadConfig().GROEIPAD_CACHE_DIR });
const before = await buildBefore();
try {
  for (const [name, first] of [
    ['switch-from-otel-path', before.code],
    ['switch-from-untraced-path', untracedWorkflowCode()],
  ] as const) {
    const h = await startPathHarness(cli, { devServer: true, code: first });
    try {
      const path = await h.start();
      await path.act('logContact', { kind: 'conversation', noteId: 'dddddddd-0000-4000-8000-000000000001' });
      await path.act('referOut', { partner: 'ocmw' });
      // The deploy: this build, as the worker bundles it.
      await h.restartWorker(replayWorkflowCode());
      await path.act('changePhase', { to: 'focus', reason: 'participant_request' });
      await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['stuyflab'] });
      await path.act('forget');
      await path.handle.result();
      // The chain of runs: the one on BEFORE continues as new at its first live wait on this
      // build (NEW_RUN_WITHOUT_OPENTELEMETRY); the untraced one goes on in the same run.
      const runs: string[] = [];
      for (let runId: string | undefined = path.handle.firstExecutionRunId; runId; ) {
        runs.push(runId);
        const history = await h.env.client.workflow.getHandle(path.handle.workflowId, runId).fetchHistory();
        runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
      const expected = first === before.code ? 2 : 1;
      if (runs.length !== expected) throw new Error(`${name}: ${runs.length} runs, expected ${expected}`);
      for (const [i, runId] of runs.entries()) {
        const history = await h.env.client.workflow.getHandle(path.handle.workflowId, runId).fetchHistory();
        const file = join(here, `${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`);
        await writeFile(file, historyToFile(history), { flag: 'wx' });
        process.stdout.write(`wrote ${file} (${history.events?.length ?? 0} events)\n`);
      }
    } finally {
      await h.stop();
    }
  }
} finally {
  await before.remove();
}
