import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `npm run build:worker`: compiles worker/main.ts and the project code it imports into one
 * JavaScript file, dist/worker.js, so the worker runs on plain `node`. Under tsx the transpiler
 * (with its own loader thread) costs the worker about 30 MB, and tsx is a devDependency.
 * Packages stay external (they load from node_modules), and the file must stay one folder below
 * the root: create-worker.ts resolves ../workflows/index.ts from where it runs.
 */
export const WORKER_JS = join(ROOT, 'dist', 'worker.js');

export async function buildWorker(): Promise<string> {
  await build({
    entryPoints: [join(ROOT, 'worker', 'main.ts')],
    outfile: WORKER_JS,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return WORKER_JS;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`wrote ${await buildWorker()}\n`);
}
