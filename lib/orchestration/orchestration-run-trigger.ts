import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  explainUnreservedConcurrency,
  RUN_RESERVED_CONCURRENCY,
  runReservedConcurrency,
} from './orchestration-concurrency';
import { START_RUN_LEASE_KEY, START_RUN_TIMEOUT_SECONDS } from '../../lambda/start-run/start-run';
import { RAW_TRANSACTIONS_PREFIX, SINK_WATERMARK_PREFIX } from '../shared/pipeline-layout';
import { acknowledgeWildcardResource } from '../shared/nag-acknowledgements';
import { RUN_SERVICES } from './orchestration-services';
import { PipelineFunction } from '../shared/pipeline-function';
import type { RunTriggerProps } from './orchestration-run-trigger-props';

export type { RunTriggerProps } from './orchestration-run-trigger-props';

/**
 * What starts runs: the `start-run` function, the DynamoDB runs ledger it
 * claims run ids in, the schedule that ticks every
 * `orchestration.runIntervalMinutes`, and a rule that ticks again as soon as a
 * run ends (so a backlog of hours is worked off run after run). On each tick
 * start-run also reads how the hours' latest runs ended (DescribeExecution) and
 * re-runs an hour whose run failed (up to `orchestration.maxRunAttempts` in a
 * row, then the out-of-attempts alarm) or whose raw prefix received objects
 * after its run was claimed.
 *
 * Runs must not overlap (the ATM job's duplicate check relies on it), so "is a
 * run in progress? -> start" must not interleave between two invocations:
 * each invocation first takes a lease item in the ledger (conditional put on
 * `runId = START_RUN_LEASE_KEY`, lapsing a little after the function's
 * timeout) and deletes it at the end; a tick that finds it held does nothing.
 * That holds with or without reserved concurrency, so dev (which reserves
 * none, so a first deploy fits an account at the new-account concurrency
 * quota) is one run at a time as prod is. Each run id also starts at most
 * once: the ledger's conditional put and the execution name refuse a second
 * start.
 * EventBridge delivery failures and failed async invocations both land in the
 * function's KMS-encrypted DLQ.
 */
export class RunTrigger extends Construct {
  readonly function: PipelineFunction;
  readonly ledger: dynamodb.Table;
  readonly schedule: events.Rule;
  readonly runFinished: events.Rule;

  constructor(scope: Construct, id: string, props: RunTriggerProps) {
    super(scope, id);
    const { config } = props;

    this.ledger = new dynamodb.Table(this, 'RunsLedger', {
      partitionKey: { name: 'runId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: !config.allowDestroy,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    this.function = new PipelineFunction(this, 'StartRun', {
      entry: 'lambda/start-run/handler.ts',
      description: 'Starts the next pipeline run for a closed hour of raw data (schedule, run end, backfill)',
      serviceName: RUN_SERVICES.startRun,
      config,
      dataKey: props.dataKey,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      // The handler's lease lasts this long plus a margin (lambda/start-run/start-run.ts).
      timeout: Duration.seconds(START_RUN_TIMEOUT_SECONDS),
      reservedConcurrentExecutions: runReservedConcurrency(config, RUN_RESERVED_CONCURRENCY.startRun),
      environment: {
        RAW_BUCKET: props.rawBucket.bucketName,
        RUNS_TABLE: this.ledger.tableName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        LOOKBACK_HOURS: String(props.lookbackHours ?? 24),
        CLOSE_DELAY_MINUTES: String(props.closeDelayMinutes ?? 10),
        CLAIM_TTL_DAYS: String(props.claimTtlDays ?? 400),
        MAX_RUN_ATTEMPTS: String(config.orchestration.maxRunAttempts),
      },
    });
    explainUnreservedConcurrency(this.function, config);
    const role = this.function.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRawHours',
        actions: ['s3:ListBucket'],
        resources: [props.rawBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RAW_TRANSACTIONS_PREFIX}*`] } },
      }),
    );
    // An hour runs once every partition's S3 sink watermark has passed its end.
    const sinkWatermarks = props.rawBucket.arnForObjects(`${SINK_WATERMARK_PREFIX}*`);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSinkWatermarks',
        actions: ['s3:GetObject'],
        resources: [sinkWatermarks],
      }),
    );
    acknowledgeWildcardResource(
      role.permissionsPolicy,
      sinkWatermarks,
      "start-run role: reads the S3 sink's watermark objects, one per topic partition, whose names are only known at run time; read-only, and only the watermark folder of the raw zone, never its transaction data",
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ClaimRuns',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [this.ledger.tableArn],
      }),
    );
    // Giving up the single-flight lease: DeleteItem on the lease item only, never on an hour's record.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReleaseStartRunLease',
        actions: ['dynamodb:DeleteItem'],
        resources: [this.ledger.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [START_RUN_LEASE_KEY] } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartAndListRuns',
        actions: ['states:StartExecution', 'states:ListExecutions'],
        resources: [props.stateMachine.stateMachineArn],
      }),
    );
    // How a run ended is read from Step Functions the next time its hour is examined.
    const runExecutions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${Arn.split(props.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadRunOutcomes',
        actions: ['states:DescribeExecution'],
        resources: [runExecutions],
      }),
    );
    acknowledgeWildcardResource(
      role.permissionsPolicy,
      runExecutions,
      'start-run role: states:DescribeExecution on the executions of this one state machine; execution names (run id + attempt) are only known at run time',
    );
    // The ledger is encrypted with the pipeline key (the DLQ statement of PipelineFunction covers the same key).

    const dlq = this.function.deadLetterQueue;
    const target = new targets.LambdaFunction(this.function.function, {
      deadLetterQueue: dlq,
      retryAttempts: 4,
      maxEventAge: Duration.hours(2),
    });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Every ${config.orchestration.runIntervalMinutes} min: start the next bank pipeline run if an hour of raw data is waiting`,
      schedule: events.Schedule.rate(Duration.minutes(config.orchestration.runIntervalMinutes)),
      targets: [target],
    });
    this.runFinished = new events.Rule(this, 'RunFinished', {
      description: 'When a bank pipeline run ends, look for the next waiting hour at once',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [target],
    });
  }
}
