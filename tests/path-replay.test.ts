import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { replayWorkflowCode } from './support/workflow-bundles.js';
import { historyFromFile } from './support/history-files.js';

/**
 * Every committed history in tests/histories/ must replay on the current workflow code without
 * a nondeterminism error: paths live for years, so every change must be replay-safe. The code is
 * bundled as the worker bundles it (WORKFLOW_CODE), with the tracing interceptors: they must
 * not change a command of a history recorded without them.
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), 'histories');

describe('replay of committed histories', () => {
  it('replays every history in tests/histories/', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
    const histories = await Promise.all(
      files.map(async (file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromFile(await readFile(join(dir, file), 'utf8')) })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ ...replayWorkflowCode(), replayName: 'committed-histories' }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
