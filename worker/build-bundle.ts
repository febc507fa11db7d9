import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './create-worker.js';
import { WORKFLOW_INTERCEPTOR_MODULES } from './tracing.js';

/** `npm run build:workflows [out]`: bundles the workflows once, for WORKFLOW_BUNDLE_PATH. */
export async function buildWorkflowBundle(out: string): Promise<string> {
  // The tracing interceptors go in the bundle: a Worker cannot add them to a prebuilt one.
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, code);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  await buildWorkflowBundle(out);
  process.stdout.write(`wrote ${out}\n`);
}
