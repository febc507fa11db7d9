import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../infra/config.js';
import { resolveTestServer } from '../../infra/temporal/servers.js';
import { startPathHarness } from '../support/path-harness.js';
import { SCENARIOS } from '../support/scenarios.js';
import { historyToFile } from '../support/history-files.js';

/**
 * `npm run histories:record [-- <suffix> [scenario…]]`: runs each scenario (or only the ones
 * named) on the time-skipping server and writes every run's history to
 * tests/histories/<scenario>[-run<n>][-<suffix>].json. Record new histories when the workflow
 * gains behaviour; an existing file is never overwritten (they are what running paths look
 * like), so name the new scenario to record only its files. An empty suffix ('') writes no suffix.
 * `--traced` (first) runs the workflows as the worker bundles them, with the tracing interceptors.
 */
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const traced = args[0] === '--traced';
if (traced) args.shift();
const suffix = args[0] ? `-${args[0]}` : '';
const only = args.slice(1);
for (const name of only) if (!Object.hasOwn(SCENARIOS, name)) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
const h = await startPathHarness(await resolveTestServer({ cacheDir: loadConfig().GROEIPAD_CACHE_DIR }), { traced });
try {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const path = await scenario(h);
    const runs: string[] = [];
    // Walk the chain of runs from the first (continue-as-new links each to the next).
    let runId: string | undefined = path.handle.firstExecutionRunId;
    while (runId) {
      runs.push(runId);
      runId = await nextRun(path.handle.workflowId, runId);
    }
    for (const [i, id] of runs.entries()) {
      const history = await h.env.client.workflow.getHandle(path.handle.workflowId, id).fetchHistory();
      const file = join(here, `${name}${runs.length > 1 ? `-run${i + 1}` : ''}${suffix}.json`);
      // Never overwrite: a committed history is what a running path looks like, and the old ones
      // are the only ones that still exercise the code behind patched().
      await writeFile(file, historyToFile(history), { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        throw new Error(`${file} exists: committed histories are never overwritten; record new behaviour under a new suffix (npm run histories:record -- <suffix>)`);
      });
      process.stdout.write(`wrote ${file} (${history.events?.length ?? 0} events)\n`);
    }
  }
} finally {
  await h.stop();
}

async function nextRun(workflowId: string, runId: string): Promise<string | undefined> {
  const history = await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const last = history.events?.at(-1);
  return last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
}
