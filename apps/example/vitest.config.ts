import { defineConfig } from 'vitest/config';

// PGlite starts in a few seconds on a busy machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } });
