// What every mutation run of `make mutation` shares (docs/reliability.md): Stryker over one narrow
// module with its own tests, one worker (the machine's cores are shared), reports under
// reports/mutation/<name>; and the vitest run it drives, without the CDK synth of vitest.config.ts's
// global setup, which these tests never read.
import { defineConfig } from 'vitest/config';

/**
 * Stryker options for the run `name`: mutates `mutate`, runs the tests of `stryker.<name>.vitest.config.mjs`.
 * @param {{ name: string, mutate: string[], thresholds: { high: number, low: number, break: number | null } }} run
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function mutationRun({ name, mutate, thresholds }) {
  return {
    mutate,
    testRunner: 'vitest',
    vitest: { configFile: `stryker.${name}.vitest.config.mjs`, related: false },
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
      'test/lib',
      'test/spark-jobs',
      // The ATM job's bad-input corpus, which the live parser's batch-parity test reads.
      '!test/spark-jobs/fixtures/bad_lines.tsv',
    ],
    tempDirName: '.stryker-tmp',
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    thresholds,
  };
}

/** The vitest configuration of a mutation run: only `include`, in one forked worker. */
export function mutationTests(include) {
  return defineConfig({
    test: {
      include,
      pool: 'forks',
      poolOptions: { forks: { singleFork: true } },
    },
  });
}
