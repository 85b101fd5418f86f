import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 60_000,
    // Each file opens PGlite (a WebAssembly PostgreSQL) and creates databases: slow on a busy machine.
    hookTimeout: 60_000,
  },
});
