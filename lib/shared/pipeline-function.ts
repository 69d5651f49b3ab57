import * as path from 'node:path';
import { PROJECT_PASCAL_NAME } from './pipeline-layout';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { LAMBDA_NODEJS_ESBUILD_TARGET, LAMBDA_NODEJS_RUNTIME } from '../config/aws-runtimes';
import { SERVICE_SUBNET_GROUP } from '../network/network-names';
import { dataRemovalPolicy } from './data-removal-policy';
import { encryptedLogGroup } from './encrypted-log-group';
import { ManagedPolicyRole } from './managed-policy-role';
import { acknowledgeWildcardResource } from './nag-acknowledgements';
import { REPO_ROOT } from './repo-root';
import { interfacePlacementArns, vpcLambdaNetworkStatements } from '../network/vpc-lambda-network-statements';

/**
 * The Lambda runtime of every pipeline function, declared in
 * lib/config/aws-runtimes.json: the latest Node.js runtime CDK knows (cdk-nag
 * AwsSolutions-L1 flags anything older). Bundles target the same major version.
 */
export const PIPELINE_LAMBDA_RUNTIME = LAMBDA_NODEJS_RUNTIME;

/**
 * esbuild settings shared by the construct and `scripts/bench-lambda-bundles.ts`,
 * so the benchmark measures exactly what is deployed.
 *
 * - `@aws-sdk/*` is external: the Node.js Lambda runtime ships SDK v3, and
 *   bundling the clients would put every function far above the 150 KB budget.
 * - Powertools is bundled (it is not in the runtime).
 * - `semver` is aliased to a 20-line stub: aws-xray-sdk-core (pulled in by the
 *   Powertools tracer) requires it only to patch AWS SDK v2 clients, which this
 *   code never uses; the real package adds ~29 KB to every bundle.
 * - CommonJS output, because ES modules cannot resolve the runtime-provided SDK
 *   reliably; `module` main field first so ESM sources tree-shake.
 */
export const PIPELINE_BUNDLE_SETTINGS = {
  target: LAMBDA_NODEJS_ESBUILD_TARGET,
  format: 'cjs' as const,
  minify: true,
  sourceMap: true,
  externalModules: ['@aws-sdk/*'],
  mainFields: ['module', 'main'],
  aliases: { semver: path.join(REPO_ROOT, 'lambda', 'shared', 'bundling', 'semver-stub.ts') },
} as const;

/** Namespace of every custom metric the pipeline's Lambdas emit through Powertools Metrics. */
export const PIPELINE_METRICS_NAMESPACE = PROJECT_PASCAL_NAME;

export type PipelineLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface PipelineFunctionProps {
  /** Path of the handler module, absolute or relative to the repo root (e.g. `lambda/start-run/handler.ts`); it must export `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** The stage config: log retention comes from `orchestration.logRetentionDays`, removal from `allowDestroy`. */
  readonly config: StageConfig;
  /** The pipeline key: encrypts the environment, the log group and the dead-letter queue. */
  readonly dataKey: kms.IKey;
  /** The pipeline VPC. Functions always run in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Security group of the function (normally `securityGroups.lambda`). */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * Subnets the function's network interfaces live in.
   * @default the network stack's `services` subnet group (private; NAT egress or VPC endpoints by stage)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Powertools service name (logs, traces and the metrics `service` dimension).
   * @default the construct id
   */
  readonly serviceName?: string;
  /**
   * Environment variables besides the Powertools ones set here.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * Function timeout.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Reserved concurrency. Leave unset unless the function must be serialised or
   * capped: every reservation is taken from the account's unreserved pool.
   * @default no reservation
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Create a KMS-encrypted, TLS-only dead-letter queue for failed asynchronous
   * invocations. Turn off only for functions that are never invoked
   * asynchronously (Step Functions tasks, CloudFormation providers, event source mappings): for those
   * Lambda never writes to it, and the caller reports the failure.
   * @default true
   */
  readonly deadLetterQueue?: boolean;
  /**
   * Retries Lambda makes of a failed asynchronous invocation before the event goes to the DLQ.
   * @default 2
   */
  readonly asyncRetryAttempts?: number;
  /**
   * Application log level (Powertools and Lambda advanced logging).
   * @default 'INFO'
   */
  readonly logLevel?: PipelineLogLevel;
}

/**
 * A Node.js Lambda the way every function of this pipeline is deployed:
 * explicit runtime ({@link PIPELINE_LAMBDA_RUNTIME}) on arm64, bundled with the
 * local esbuild (never Docker), X-Ray tracing active, environment encrypted with
 * the pipeline key, a KMS-encrypted log group with the stage's retention,
 * private subnets only, an optional encrypted DLQ for async invocations, and a
 * role whose permissions live in customer-managed policies (PCI DSS
 * IAMNoInlinePolicy), so `grant*()` and `addToRolePolicy()` work as usual.
 *
 * The permissions every VPC function needs (network interfaces, X-Ray) sit once
 * per stack in {@link PipelineFunctionBaselinePolicy} with their justification,
 * instead of being repeated (and acknowledged) per function.
 */
export class PipelineFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: ManagedPolicyRole;
  readonly logGroup: logs.LogGroup;
  /** The async-invocation DLQ, when enabled. */
  readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const removalPolicy = dataRemovalPolicy(props.config);
    const vpcSubnets = props.vpcSubnets ?? defaultPrivateSubnets();
    const serviceName = props.serviceName ?? id;
    const logLevel = props.logLevel ?? 'INFO';

    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${serviceName}`,
      policyId: 'Policy', // the id these roles' policies were deployed with
    });

    this.logGroup = encryptedLogGroup(this, 'LogGroup', { config: props.config, dataKey: props.dataKey });

    if (props.deadLetterQueue ?? true) {
      this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.dataKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy,
      });
      // Lambda sends to a KMS-encrypted queue with the execution role.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.dataKey.keyArn],
        }),
      );
    }

    this.logGroup.grantWrite(this.role);

    const entry = path.isAbsolute(props.entry) ? props.entry : path.join(REPO_ROOT, props.entry);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: props.description,
      runtime: PIPELINE_LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      vpc: props.vpc,
      vpcSubnets,
      securityGroups: [props.securityGroup],
      environmentEncryption: props.dataKey,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: PIPELINE_METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: logLevel,
        // Responses can carry bank data; traces keep timings and errors only.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        ...props.environment,
      },
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueueEnabled: this.deadLetterQueue !== undefined ? true : undefined,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: this.deadLetterQueue !== undefined ? (props.asyncRetryAttempts ?? 2) : undefined,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        minify: PIPELINE_BUNDLE_SETTINGS.minify,
        sourceMap: PIPELINE_BUNDLE_SETTINGS.sourceMap,
        sourcesContent: false,
        target: PIPELINE_BUNDLE_SETTINGS.target,
        format: nodejs.OutputFormat.CJS,
        mainFields: [...PIPELINE_BUNDLE_SETTINGS.mainFields],
        externalModules: [...PIPELINE_BUNDLE_SETTINGS.externalModules],
        esbuildArgs: Object.fromEntries(
          Object.entries(PIPELINE_BUNDLE_SETTINGS.aliases).map(([name, target]) => [
            `--alias:${name}`,
            target,
          ]),
        ),
      },
    });

    // Tracing is set on the L1 rather than with `tracing:`, which would also add an
    // unscoped X-Ray statement to this role; that statement lives once in the baseline policy.
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.tracingConfig = { mode: lambda.Tracing.ACTIVE };

    if (this.deadLetterQueue === undefined) {
      // checkov skips are read from the resource's metadata; the reason sits with the choice.
      cfnFunction.addMetadata('checkov', {
        skip: [
          {
            id: 'CKV_AWS_116',
            comment:
              'Invoked synchronously only (Step Functions task, CloudFormation provider or event source mapping): the caller gets the error and reports it; Lambda never writes to an async DLQ',
          },
        ],
      });
    }

    const baseline = PipelineFunctionBaselinePolicy.of(this);
    baseline.allowNetworkInterfacesIn(props.vpc.selectSubnets(vpcSubnets).subnets, props.securityGroup);
    baseline.attachToRole(this.role);
    // Lambda checks the ENI permissions when the function is created: attach the policies first.
    // (The role itself is already a dependency through the function's Role attribute.)
    // The role's own policy exists by now: the log-group grant above is always made.
    this.function.node.addDependency(baseline, this.role.permissionsPolicy);
  }
}

/**
 * One customer-managed policy per stack with what every VPC Lambda of that stack
 * needs and no service lets us scope fully: managing its network interfaces and
 * sending X-Ray segments. Kept in one place so the two unavoidable wildcards are
 * written (and acknowledged) once, with their reason.
 */
export class PipelineFunctionBaselinePolicy extends Construct {
  private static readonly ID = 'PipelineFunctionBaseline';

  /** The stack's baseline policy, created on first use. */
  static of(scope: Construct): PipelineFunctionBaselinePolicy {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PipelineFunctionBaselinePolicy.ID);
    return (
      (existing as PipelineFunctionBaselinePolicy | undefined) ??
      new PipelineFunctionBaselinePolicy(stack, PipelineFunctionBaselinePolicy.ID)
    );
  }

  readonly policy: iam.ManagedPolicy;
  private readonly createInterfaces: iam.PolicyStatement;
  private readonly allowedArns = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const network = vpcLambdaNetworkStatements(this, 'CreateInterfacesInPipelineSubnets');
    // Subnets and security groups are added by each function (allowNetworkInterfacesIn).
    this.createInterfaces = network.createInterfaces;
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Network interfaces and X-Ray for the VPC Lambdas of this stack',
      statements: [
        ...network.statements,
        new iam.PolicyStatement({
          sid: 'XRayTraces',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    const nagReason = (what: string): string =>
      `${what} (PipelineFunctionBaseline policy shared by this stack's VPC Lambdas)`;
    acknowledgeWildcardResource(
      this.policy,
      '*',
      nagReason(
        'ec2:DescribeNetworkInterfaces/DescribeSubnets work only on "*" (Lambda VPC docs) and xray:PutTraceSegments/PutTelemetryRecords have no resource-level permissions',
      ),
    );
    acknowledgeWildcardResource(
      this.policy,
      network.networkInterfaces,
      nagReason(
        'Lambda creates and deletes its own network interfaces, whose ids do not exist before; creation is limited to the pipeline subnets and the Lambda security group, and to this account and region',
      ),
    );
  }

  /** Lets functions create their interfaces in these subnets with this security group. */
  allowNetworkInterfacesIn(subnets: ec2.ISubnet[], securityGroup: ec2.ISecurityGroup): void {
    const arns = interfacePlacementArns(this, subnets, securityGroup);
    // Tokens of the same subnet render to the same string, so the set de-duplicates them.
    const fresh = arns.filter((arn) => !this.allowedArns.has(arn));
    fresh.forEach((arn) => this.allowedArns.add(arn));
    if (fresh.length > 0) this.createInterfaces.addResources(...fresh);
  }

  attachToRole(role: iam.IRole): void {
    this.policy.attachToRole(role);
  }
}

/**
 * The network stack's subnet group for data services (private: NAT egress or
 * isolated with VPC endpoints, depending on the stage). Selected by group name
 * because the warehouse subnets are private too.
 */
export function defaultPrivateSubnets(): ec2.SubnetSelection {
  return { subnetGroupName: SERVICE_SUBNET_GROUP };
}
