import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most test files spend their time waiting on the servers and SQL engines they start, so two files at a time
    // on two cores (vitest's default there is one) take the suite from ~330 s to ~240 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
