import { defineConfig } from 'vitest/config';

// The Firefox smoke: the built Firefox MV3 package in Debian's firefox-esr, driven over
// WebDriver BiDi (tests/e2e-firefox). One browser, no retries that could hide flakiness.
export default defineConfig({
  test: {
    include: ['tests/e2e-firefox/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globals: true,
  },
});
