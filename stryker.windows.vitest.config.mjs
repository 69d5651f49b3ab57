// The vitest run Stryker uses for lambda/start-run/windows.ts (`make mutation`): only the tests of
// that module, without the CDK synth of vitest.config.ts's global setup, which these tests never read.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/lambda/start-run-windows-edges.test.ts', 'test/lambda/start-run.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
