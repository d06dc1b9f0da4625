// Mutation testing (npm run mutation): how many deliberate bugs in the modules where a silent bug costs most
// does the test suite catch? Scores per module: README, Development; the equivalent mutants: docs/mutation.md.
// One file: npx stryker run --mutate src/workflows/wait.ts --concurrency 1
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate: [
    'src/cluvio/**/*.ts',
    'src/workflows/**/*.ts',
    'src/tools/errors.ts',
    'src/results/**/*.ts',
    'src/operations/request.ts',
    'src/operations/read-only-sql.ts',
    'src/config.ts',
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  // The first run of every related test, for coverage, takes over 5 minutes (the default) on a loaded 2-core machine.
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  // At the end: the surviving mutants, then the score per module and per file (without the long list of tests).
  clearTextReporter: { logTests: false, reportTests: false },
  htmlReporter: { fileName: 'test-artifacts/mutation/index.html' },
  jsonReporter: { fileName: 'test-artifacts/mutation/report.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
