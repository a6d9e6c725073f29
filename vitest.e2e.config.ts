import { defineConfig } from 'vitest/config';

// Browser tests (npm run test:e2e): a real platform on a random port serving the built web/dist, driven by
// playwright-core and Debian's chromium. One file at a time: each starts a server and a browser.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
