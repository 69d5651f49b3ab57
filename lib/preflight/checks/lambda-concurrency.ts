import type { LambdaConcurrency, PreflightAws } from '../aws-ports';
import { describeError, fail, pass, type CheckResult } from '../check-result';
import { totalReserved, type ReservedFunction } from '../stage-requirements';

export const LAMBDA_CONCURRENCY_CHECK = 'Lambda concurrency quota';

/**
 * Lambda refuses a reservation that leaves fewer than this many executions
 * unreserved ("leave at least 100 simultaneous executions unreserved":
 * PutFunctionConcurrency in the Lambda API reference; "minus 100" in
 * Configuring reserved concurrency, Lambda developer guide).
 */
export const MINIMUM_UNRESERVED_CONCURRENCY = 100;

/** Service Quotas code of Lambda's "Concurrent executions" quota. */
const CONCURRENT_EXECUTIONS_QUOTA_CODE = 'L-B99A9384';

/**
 * The reservations the stage's templates make, plus what Lambda keeps
 * unreserved, must fit in the account's concurrency quota. Where the API is not
 * served (or denied), the quota can be given on the command line; otherwise the
 * check fails and says how to read it by hand.
 */
export async function checkLambdaConcurrency(
  aws: PreflightAws,
  reservedFunctions: readonly ReservedFunction[],
  quotaFromCommandLine?: number,
): Promise<CheckResult> {
  const reserved = totalReserved(reservedFunctions);
  if (reserved === 0) {
    return pass(LAMBDA_CONCURRENCY_CHECK, 'the stage reserves no Lambda concurrency');
  }
  const needed = reserved + MINIMUM_UNRESERVED_CONCURRENCY;
  const what = `the stage reserves ${reserved} (${reservedFunctions.length} functions) and Lambda keeps ${MINIMUM_UNRESERVED_CONCURRENCY} unreserved`;

  let account: LambdaConcurrency | undefined;
  let source = 'GetAccountSettings';
  try {
    account = await aws.lambdaConcurrency();
  } catch (error) {
    if (quotaFromCommandLine === undefined) {
      return fail(
        LAMBDA_CONCURRENCY_CHECK,
        `could not read the account's quota (${describeError(error)}); ${what}, so it must be ${needed} or more`,
        `read it with 'aws lambda get-account-settings --region ${aws.region} --query AccountLimit.ConcurrentExecutions' ` +
          `and pass it: make preflight PREFLIGHT_ARGS='--lambda-concurrency-quota <number>'`,
      );
    }
    source = '--lambda-concurrency-quota';
  }
  const limit = account?.limit ?? (quotaFromCommandLine as number);
  const unreserved = account ? `, ${account.unreserved} unreserved now` : '';
  if (limit < needed) {
    return fail(
      LAMBDA_CONCURRENCY_CHECK,
      `the account's quota is ${limit} (${source}); ${what}: ${needed} needed`,
      `aws service-quotas request-service-quota-increase --region ${aws.region} --service-code lambda ` +
        `--quota-code ${CONCURRENT_EXECUTIONS_QUOTA_CODE} --desired-value ${needed}`,
    );
  }
  return pass(LAMBDA_CONCURRENCY_CHECK, `quota ${limit} (${source}${unreserved}) ≥ ${needed}: ${what}`);
}
