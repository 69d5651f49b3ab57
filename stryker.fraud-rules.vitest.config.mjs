// The vitest run Stryker uses for lambda/live-alerts/fraud-rules: only that module's tests, without
// the CDK synth of vitest.config.ts's global setup, which these tests never read.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/lambda/live-alerts/fraud-rules.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
