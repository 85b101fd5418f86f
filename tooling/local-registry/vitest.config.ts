import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs go through the registry's proxy to the npm registry: tens of seconds, bounded.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // One registry and one publish at a time: the files share nothing and the machine is small.
    fileParallelism: false,
  },
});
