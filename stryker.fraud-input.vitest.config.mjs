// The vitest run Stryker uses for the readers of lambda/live-alerts/fraud-rules: their tests only.
import { mutationTests } from './stryker.base.mjs';

export default mutationTests([
  'test/lambda/live-alerts/fraud-rules-file.test.ts',
  'test/lambda/live-alerts/transaction-edges.test.ts',
  'test/lambda/live-alerts/transaction-batch-parity.test.ts',
  'test/lambda/live-alerts/transaction-future-limit.test.ts',
  'test/lambda/live-alerts/transaction-schema-limit.test.ts',
  'test/lambda/live-alerts/fraud-rules.test.ts',
]);
