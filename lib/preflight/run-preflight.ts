import type { Environment } from 'aws-cdk-lib';
import type { StageConfig } from '../config';
import type { PreflightAws } from './aws-ports';
import type { AzSupport } from './az-support';
import { describeError, fail, unknown, type CheckResult } from './check-result';
import { checkAvailabilityZones, MSK_AZ_CHECK, REDSHIFT_AZ_CHECK } from './checks/availability-zones';
import { BOOTSTRAP_CHECK, checkBootstrap } from './checks/bootstrap';
import { checkBuildArtifacts, type BuildArtifactLocations } from './checks/build-artifacts';
import { checkCredentials, CREDENTIALS_CHECK } from './checks/credentials';
import { checkLambdaConcurrency, LAMBDA_CONCURRENCY_CHECK } from './checks/lambda-concurrency';
import { SERVICE_LINKED_ROLES, checkServiceLinkedRoles } from './checks/service-linked-roles';
import { checkSftpSecret, SFTP_SECRET_CHECK } from './checks/sftp-secret';
import type { StageRequirements } from './stage-requirements';

export interface PreflightInput {
  readonly config: StageConfig;
  /** The region the SDK resolved, or undefined when none is set. */
  readonly region: string | undefined;
  /** AWS calls in that region. */
  readonly aws: (region: string) => PreflightAws;
  /** Synthesizes the stage (for the account when known) and reads what its templates require. */
  readonly stageRequirements: (env: Environment | undefined) => StageRequirements;
  readonly artifacts: BuildArtifactLocations;
  readonly azSupport: AzSupport;
  /** The Lambda concurrency quota, for accounts or endpoints that do not serve GetAccountSettings. */
  readonly lambdaConcurrencyQuota?: number;
}

/** Every check in the order a first deploy meets them; never throws for an AWS-side problem. */
export async function runPreflight(input: PreflightInput): Promise<CheckResult[]> {
  const { config } = input;
  const aws = input.region ? input.aws(input.region) : undefined;
  const { result: credentials, caller } = await checkCredentials(input.region, aws);
  const results: CheckResult[] = [credentials];
  const artifacts = checkBuildArtifacts(input.artifacts);

  if (!aws || !caller) {
    const notChecked = 'not checked: needs working credentials and a region';
    const fix = `run make preflight again once '${CREDENTIALS_CHECK}' passes`;
    const names = [
      BOOTSTRAP_CHECK,
      LAMBDA_CONCURRENCY_CHECK,
      SFTP_SECRET_CHECK,
      MSK_AZ_CHECK,
      ...(config.warehouse.kind === 'serverless' ? [REDSHIFT_AZ_CHECK] : []),
      ...SERVICE_LINKED_ROLES.map((role) => `Service-linked role ${role.roleName}`),
    ];
    results.push(...names.map((name) => unknown(name, notChecked, fix)));
  } else {
    let requirements: StageRequirements | undefined;
    let synthProblem = '';
    try {
      requirements = input.stageRequirements(caller);
    } catch (error) {
      synthProblem = `the stage does not synthesize: ${describeError(error)}`;
    }
    const synthFix =
      artifacts.status === 'fail' ? 'make setup' : `npx cdk synth -c stage=${config.stage} shows the error`;
    results.push(
      requirements
        ? await checkBootstrap(aws, caller, requirements)
        : fail(BOOTSTRAP_CHECK, synthProblem, synthFix),
      requirements
        ? await checkLambdaConcurrency(aws, requirements.reservedConcurrency, input.lambdaConcurrencyQuota)
        : fail(LAMBDA_CONCURRENCY_CHECK, synthProblem, synthFix),
      await checkSftpSecret(aws, config),
      ...(await checkAvailabilityZones(aws, config, input.azSupport)),
      ...(await checkServiceLinkedRoles(aws)),
    );
  }
  results.push(artifacts);
  return results;
}
