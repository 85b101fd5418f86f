import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One file at a time: the generated-app and HAProxy tests each run several Node processes (tsc,
    // vitest, app instances) and would slow each other down past their bounds on a small machine.
    fileParallelism: false,
    // The generated app's own type-check and test run take tens of seconds on a busy machine.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
