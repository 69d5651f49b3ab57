import type { PreflightAws } from '../aws-ports';
import { describeError, fail, pass, type CheckResult } from '../check-result';

export const CREDENTIALS_CHECK = 'Credentials and region';

export interface Caller {
  readonly account: string;
  readonly region: string;
}

/** STS GetCallerIdentity in the resolved region: the account every later check and the fix commands use. */
export async function checkCredentials(
  region: string | undefined,
  aws: PreflightAws | undefined,
): Promise<{ result: CheckResult; caller?: Caller }> {
  if (!region || !aws) {
    return {
      result: fail(
        CREDENTIALS_CHECK,
        'no AWS region is set',
        'export AWS_REGION=<region> (or set it in your profile: aws configure set region <region>)',
      ),
    };
  }
  try {
    const identity = await aws.callerIdentity();
    return {
      result: pass(CREDENTIALS_CHECK, `account ${identity.account}, region ${region} (${identity.arn})`),
      caller: { account: identity.account, region },
    };
  } catch (error) {
    return {
      result: fail(
        CREDENTIALS_CHECK,
        `STS GetCallerIdentity failed in ${region}: ${describeError(error)}`,
        'give the shell credentials: aws configure, or aws sso login --profile <profile> and export AWS_PROFILE=<profile>',
      ),
    };
  }
}
