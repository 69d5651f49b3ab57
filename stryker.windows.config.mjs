// Mutation testing of the hour windows start-run runs (`make mutation`, docs/reliability.md).
// Narrow on purpose: one module, its tests only, one worker (the machine's cores are shared).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['lambda/start-run/windows.ts'],
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.windows.vitest.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  // The sandbox needs only the TypeScript sources and tests, not the venv, jars or templates.
  ignorePatterns: [
    '.local',
    'cdk.out',
    'cdk.out.*',
    'connectors',
    'spark-jobs',
    'sql',
    'docs',
    'mutants',
    'test/cdk',
    'test/python',
  ],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/windows.html' },
  jsonReporter: { fileName: 'reports/mutation/windows.json' },
  thresholds: { high: 100, low: 95, break: null },
};
