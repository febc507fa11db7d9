import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where `buildApiBundle()` writes by default: the directory the stack's Lambda function ships. */
export const API_BUNDLE_DIR = join(ROOT, 'dist', 'api-lambda');

/**
 * Packages that read their own files at run time through their package's location (pdfkit loads
 * its standard fonts with `require('#standard-fonts/…')` from its own package.json; the passport's
 * DejaVu fonts are found with `require.resolve`). Bundled, those lookups would start from the
 * bundle and fail, so they stay external and are copied beside it with what they depend on.
 */
export const API_EXTERNAL_PACKAGES = ['pdfkit', 'dejavu-fonts-ttf'];

/**
 * api/lambda.ts as a Lambda function's code: one ESM file (index.mjs, handler `index.handler`)
 * with everything bundled except API_EXTERNAL_PACKAGES, which are copied into its node_modules.
 * Done with the local esbuild, so it needs neither Docker nor the network; the stack ships the
 * directory as it is (`lambda.Code.fromAsset`). `entry` lets a test bundle another module the
 * same way (the passport PDF, which needs the external packages).
 */
export async function buildApiBundle(outdir = API_BUNDLE_DIR, entry = join(ROOT, 'api', 'lambda.ts')): Promise<string> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [entry],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: API_EXTERNAL_PACKAGES,
    // CommonJS packages in an ESM bundle call require() for Node's built-ins; ESM has none.
    banner: { js: "import { createRequire as __groeipadCreateRequire } from 'node:module'; const require = __groeipadCreateRequire(import.meta.url);" },
    logLevel: 'warning',
    legalComments: 'none',
  });
  for (const dir of packageClosure(API_EXTERNAL_PACKAGES, ROOT)) {
    await cp(dir, join(outdir, relative(ROOT, dir)), { recursive: true, dereference: true });
  }
  // The bundle is ESM by its extension; a package.json keeps Node from looking further up.
  await writeFile(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  return outdir;
}

/**
 * The installed directories of `names` and of everything they depend on, found the way Node
 * finds them (a package's own node_modules first, then each parent's), from `root`.
 */
export function packageClosure(names: string[], root: string): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string, optional: boolean) => {
    const dir = resolvePackage(name, from, root);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} (needed from ${relative(root, from) || '.'}) is not installed: run npm ci`);
    }
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of names) visit(name, root, false);
  return [...found].sort();
}

function resolvePackage(name: string, from: string, root: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}
