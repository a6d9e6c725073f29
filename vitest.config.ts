import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'workers/**/*.test.ts'],
    // Browser tests need a built web/dist and chromium; they run on their own (npm run test:e2e, vitest.e2e.config.ts).
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    // Two cores on CI: API suites each open their own SQLite file and pool, so files run in parallel
    // across a small number of forks rather than threads (native addons: sqlite3, onnxruntime).
    pool: 'forks',
    // on PostgreSQL, the run's test schemas are dropped once at its end (see the file)
    globalSetup: ['test/helpers/postgres-test-schemas.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
