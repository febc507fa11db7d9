import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_CODE, WORKFLOWS_PATH } from '../../worker/create-worker.js';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../worker/tracing.js';

/**
 * The workflow code bundled once per test run instead of once per test file: webpack takes two to
 * five seconds of CPU a time, and most files start a worker. The global set-up writes both bundles
 * and names them in the environment the test processes inherit; code run outside vitest (the
 * bench) finds no name and bundles as the worker does; tests/intake.integration.test.ts keeps the
 * worker's own bundling tested.
 */
const WITH_TRACING = 'GROEIPAD_TEST_BUNDLE';
const WITHOUT_TRACING = 'GROEIPAD_TEST_BUNDLE_UNTRACED';

/** The bundle as the worker builds it (with the tracing interceptors), if this run made one. */
export const sharedWorkerBundle = (): string | undefined => process.env[WITH_TRACING];

/** The workflows alone, without interceptors, for a Worker of the path tests: prebuilt when this run made them. */
export function untracedWorkflowCode(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const codePath = process.env[WITHOUT_TRACING];
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath: WORKFLOWS_PATH };
}

/** The workflow code a replay runs, as the worker bundles it (WORKFLOW_CODE), prebuilt when this run made it. */
export function replayWorkflowCode() {
  const codePath = sharedWorkerBundle();
  return codePath ? { workflowBundle: { codePath }, sinks: WORKFLOW_CODE.sinks } : WORKFLOW_CODE;
}

/** Writes both bundles to a temporary folder for this run; returns how to remove them. */
export async function prepareSharedBundles(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'groeipad-bundles-'));
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const [traced, untraced] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger: quiet }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet }),
  ]);
  await writeFile(join(dir, 'traced.js'), traced.code);
  await writeFile(join(dir, 'untraced.js'), untraced.code);
  process.env[WITH_TRACING] = join(dir, 'traced.js');
  process.env[WITHOUT_TRACING] = join(dir, 'untraced.js');
  return async () => {
    delete process.env[WITH_TRACING];
    delete process.env[WITHOUT_TRACING];
    await rm(dir, { recursive: true, force: true });
  };
}
