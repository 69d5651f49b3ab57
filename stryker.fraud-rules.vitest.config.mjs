// The vitest run Stryker uses for lambda/live-alerts/fraud-rules: only that module's tests.
import { mutationTests } from './stryker.base.mjs';

export default mutationTests(['test/lambda/live-alerts/fraud-rules.test.ts']);
