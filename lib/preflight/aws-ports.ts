import { EC2Client, DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** An availability zone of the region: its account-specific name and its AZ ID (the same in every account). */
export interface AvailabilityZone {
  readonly name: string;
  readonly id: string;
}

export interface LambdaConcurrency {
  /** The account's concurrent-executions quota in the region. */
  readonly limit: number;
  /** What is left after every existing reservation. */
  readonly unreserved: number;
}

/**
 * The read-only AWS calls the preflight makes. "Not found" is an answer
 * (undefined / false); anything else (denied, not served, throttled) throws, and
 * the check reports it as "could not check".
 */
export interface PreflightAws {
  readonly region: string;
  callerIdentity(): Promise<{ readonly account: string; readonly arn: string }>;
  ssmParameter(name: string): Promise<string | undefined>;
  lambdaConcurrency(): Promise<LambdaConcurrency>;
  secretString(secretId: string): Promise<string | undefined>;
  availabilityZones(): Promise<AvailabilityZone[]>;
  roleExists(roleName: string): Promise<boolean>;
}

/**
 * The region the SDK's default chain resolves (AWS_REGION, AWS_DEFAULT_REGION
 * as the CLI does, or the profile's `region`), or undefined when none is set.
 */
export async function resolveRegion(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  // The SDK v3 reads AWS_REGION and the profile but not the CLI's AWS_DEFAULT_REGION.
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  try {
    return await new STSClient({}).config.region();
  } catch {
    return undefined;
  }
}

/** Client settings a test passes instead of the environment (an endpoint and static credentials). */
export interface PreflightClientOverrides {
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts?: number;
}

/**
 * SDK v3 clients on the default credential chain (environment, profile, SSO,
 * instance role). Each client honours AWS_ENDPOINT_URL and the per-service
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the tests reach a local
 * AWS-API server.
 */
export function sdkPreflightAws(
  region: string,
  clientOverrides: PreflightClientOverrides = {},
): PreflightAws {
  const config = { maxAttempts: 2, ...clientOverrides, region };
  const sts = new STSClient(config);
  const ssm = new SSMClient(config);
  const lambda = new LambdaClient(config);
  const secrets = new SecretsManagerClient(config);
  const ec2 = new EC2Client(config);
  const iam = new IAMClient(config);
  return {
    region,
    async callerIdentity() {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      return { account: out.Account ?? '', arn: out.Arn ?? '' };
    },
    async ssmParameter(name) {
      try {
        const out = await ssm.send(new GetParameterCommand({ Name: name }));
        return out.Parameter?.Value;
      } catch (error) {
        if (error instanceof ParameterNotFound) return undefined;
        throw error;
      }
    },
    async lambdaConcurrency() {
      const out = await lambda.send(new GetAccountSettingsCommand({})).catch((error: unknown) => {
        throw notServedAsSuch(error, 'Lambda GetAccountSettings');
      });
      const limit = out.AccountLimit?.ConcurrentExecutions;
      const unreserved = out.AccountLimit?.UnreservedConcurrentExecutions;
      if (limit === undefined || unreserved === undefined) {
        throw new Error('GetAccountSettings answered without AccountLimit.ConcurrentExecutions');
      }
      return { limit, unreserved };
    },
    async secretString(secretId) {
      try {
        const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
        return out.SecretString ?? '';
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
    async availabilityZones() {
      const out = await ec2.send(new DescribeAvailabilityZonesCommand({}));
      // Local and Wavelength zones are not where a VPC's subnets for these services go.
      const isAz = (type: string | undefined) => type === undefined || type === 'availability-zone';
      return (out.AvailabilityZones ?? [])
        .filter((zone) => isAz(zone.ZoneType) && zone.State === 'available' && zone.ZoneName && zone.ZoneId)
        .map((zone) => ({ name: zone.ZoneName as string, id: zone.ZoneId as string }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    async roleExists(roleName) {
      try {
        await iam.send(new GetRoleCommand({ RoleName: roleName }));
        return true;
      } catch (error) {
        if (error instanceof NoSuchEntityException) return false;
        throw error;
      }
    },
  };
}

/**
 * An endpoint that does not implement an operation answers 404 (often with an
 * HTML page the SDK cannot parse) or UnknownOperationException; say that
 * instead of the parser's complaint.
 */
export function notServedAsSuch(error: unknown, operation: string): unknown {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  const name = error instanceof Error ? error.name : '';
  if (status === 404 || name === 'UnknownOperationException') {
    return new Error(`${operation} is not served by this endpoint (HTTP ${status ?? 400} ${name})`);
  }
  return error;
}
