import { defineConfig } from 'vitest/config';

// One runner for every package. Each test file builds its own database (PGlite in memory, or a
// fresh database on the server named by WAYMARK_TEST_DATABASE_URL), so files run in parallel safely.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
