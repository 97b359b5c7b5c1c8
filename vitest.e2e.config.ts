import { defineConfig } from 'vitest/config';

// End-to-end tests: the built extension in real Chromium. One file at a time (each starts a
// browser; the machine has two cores), generous timeouts, no retries that could hide flakiness.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globals: true,
  },
});
