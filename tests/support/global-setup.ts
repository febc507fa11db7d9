import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../infra/config.js';
import { resolveTemporalCli, resolveTestServer } from '../../infra/temporal/servers.js';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { prepareSharedBundles } from './workflow-bundles.js';

/**
 * Runs once before all test files: finds or builds both Temporal servers (printing progress),
 * so that test files running in parallel never build them twice, and bundles the workflow code
 * once for every file (tests/support/workflow-bundles.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { GROEIPAD_CACHE_DIR } = loadConfig();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  project.provide('temporalCli', await resolveTemporalCli({ cacheDir: GROEIPAD_CACHE_DIR, log }));
  project.provide('temporalTestServer', await resolveTestServer({ cacheDir: GROEIPAD_CACHE_DIR, log }));
  return prepareSharedBundles();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalCli: EphemeralServerExecutable;
    temporalTestServer: EphemeralServerExecutable;
  }
}
