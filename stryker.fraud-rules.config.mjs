// Mutation testing of the live fraud rules (lambda/live-alerts/fraud-rules; docs/benchmarks.md,
// "Mutation testing: fraud rules"): the module and its own tests.
import { mutationRun } from './stryker.base.mjs';

export default mutationRun({
  name: 'fraud-rules',
  mutate: ['lambda/live-alerts/fraud-rules/**/*.ts'],
  thresholds: { high: 100, low: 95, break: null },
});
