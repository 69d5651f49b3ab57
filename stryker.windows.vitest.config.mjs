// The vitest run Stryker uses for lambda/start-run/windows.ts (`make mutation`): only that module's tests.
import { mutationTests } from './stryker.base.mjs';

export default mutationTests([
  'test/lambda/start-run-windows-edges.test.ts',
  'test/lambda/start-run.test.ts',
]);
