import { defineConfig } from 'vitest/config';

/**
 * One run, two projects sharing two workers: `npm test` runs both, `npm run chaos` only the fault
 * tests. The fault tests spend most of their time waiting (a database down for a minute, a server
 * restarting, a killed worker's tasks timing out), so they share the pool with the rest instead of
 * running one after another at the end.
 */
const common = {
  // The Temporal SDK's native module does not like worker threads.
  pool: 'forks' as const,
  setupFiles: ['tests/support/quiet-runtime.ts'],
  hookTimeout: 240_000,
};

export default defineConfig({
  test: {
    // Once per run, not per project: the Temporal servers and the workflow bundle.
    globalSetup: ['tests/support/global-setup.ts'],
    reporters: ['default', './tests/support/summary-reporter.ts'],
    // Each file starts its own Temporal server; two cores, so keep parallelism modest.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      { test: { ...common, name: 'suite', include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'], testTimeout: 60_000 } },
      // Fault tests on the real stack: each drives hundreds of paths through a fault.
      { test: { ...common, name: 'chaos', include: ['tests/chaos/**/*.chaos.ts'], testTimeout: 600_000 } },
    ],
  },
});
