import { defineConfig } from 'vitest/config';

// `npm run chaos`: fault tolerance on the real stack (slower; one file at a time).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['tests/chaos/**/*.chaos.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/quiet-runtime.ts'],
    reporters: ['default', './tests/support/summary-reporter.ts'],
    testTimeout: 600_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
