import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Only the TypeScript tests: `framework build` also writes compiled copies to dist/.
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
});
