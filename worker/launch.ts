/**
 * How a worker process is started, measured with `npm run bench -- --only memory`
 * (README, Performance): `MALLOC_ARENA_MAX=2 node --max-old-space-size=192
 * --max-semi-space-size=8 dist/worker.js`, after `npm run build`.
 *
 * - V8 sizes its heaps for the machine (about 4 GB here) and lets garbage pile up to hundreds of
 *   MB in both the main thread and the workflow thread before collecting; the flags apply to
 *   every isolate of the process. The cap must hold the workflow cache: about 0.15 MB per cached
 *   path in the workflow thread, counted as 0.2 (createWorkers refuses to start when it does not).
 * - glibc gives every thread that mallocs its own arena (the Rust core's threads, libuv's);
 *   two arenas keep that fragmentation down. It is read when the process starts, so it is set in
 *   the environment of the process, not from inside it.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=8'];
export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' };
