import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The generated app's own type-check and test run take tens of seconds on a busy machine.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
