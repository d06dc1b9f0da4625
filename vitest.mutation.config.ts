import { defineConfig } from 'vitest/config';

// The unit tests, for mutation testing (stryker.config.mjs): they import src/ directly. The integration,
// packaging and browser tests run the built dist/, which a mutant of src/ does not reach.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // result-stream-memory streams 80 MB through the parser: minutes once the parser is instrumented, and the
    // memory bound it checks is not what a mutant changes.
    exclude: ['test/integration/**', 'test/packaging/**', 'test/apps/**', 'test/clients/**', 'test/cluvio/result-stream-memory.test.ts', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
