import type { PreflightAws } from '../aws-ports';
import { describeError, fail, pass, type CheckResult } from '../check-result';
import type { StageRequirements } from '../stage-requirements';
import type { Caller } from './credentials';

export const BOOTSTRAP_CHECK = 'CDK bootstrap';

/**
 * The bootstrap version parameter (its name carries the qualifier from cdk.json) must hold at least
 * the version the stage's templates require, or CloudFormation rejects every stack at its
 * CheckBootstrapVersion rule.
 */
export async function checkBootstrap(
  aws: PreflightAws,
  caller: Caller,
  requirements: StageRequirements,
): Promise<CheckResult> {
  const { bootstrapParameterName: parameter, minimumBootstrapVersion: minimum } = requirements;
  const fix = `npx cdk bootstrap aws://${caller.account}/${caller.region}`;
  let value: string | undefined;
  try {
    value = await aws.ssmParameter(parameter);
  } catch (error) {
    return fail(BOOTSTRAP_CHECK, `could not read SSM parameter ${parameter}: ${describeError(error)}`, fix);
  }
  if (value === undefined) {
    return fail(
      BOOTSTRAP_CHECK,
      `SSM parameter ${parameter} does not exist: ${caller.account}/${caller.region} is not bootstrapped (version ${minimum} or later needed)`,
      fix,
    );
  }
  const version = Number(value);
  if (!Number.isInteger(version) || version < minimum) {
    return fail(
      BOOTSTRAP_CHECK,
      `${parameter} is ${JSON.stringify(value)}; this aws-cdk-lib needs bootstrap version ${minimum} or later`,
      `${fix} (upgrades the bootstrap stack in place)`,
    );
  }
  return pass(BOOTSTRAP_CHECK, `version ${version} (${minimum} or later needed, ${parameter})`);
}
