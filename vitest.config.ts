import { defineConfig } from 'vitest/config';

// PGlite takes ~2.5 s and ~0.8 GB to start: the test server is started once per test file, and the
// machines have 2 cores, so 2 workers.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
