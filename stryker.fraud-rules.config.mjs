// Mutation testing of the live fraud rules (lambda/live-alerts/fraud-rules; docs/benchmarks.md,
// "Mutation testing: fraud rules"). Narrow on purpose: the module, its own tests, one worker.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['lambda/live-alerts/fraud-rules/**/*.ts'],
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.fraud-rules.vitest.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  // The sandbox needs only the TypeScript sources, the contracts and the tests, not the venv, jars or templates.
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
  htmlReporter: { fileName: 'reports/mutation/fraud-rules.html' },
  jsonReporter: { fileName: 'reports/mutation/fraud-rules.json' },
  thresholds: { high: 100, low: 95, break: null },
};
