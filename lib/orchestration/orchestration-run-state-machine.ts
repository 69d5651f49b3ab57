import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import type { EmrRunSettings } from '../processing/emr-run-settings';
import {
  apiRetry,
  EMR_TRANSIENT_ERRORS,
  GLUE_TRANSIENT_ERRORS,
  intrinsicFormat,
  intrinsicLiteral,
  LAMBDA_TRANSIENT_ERRORS,
} from './orchestration-asl';
import { pysparkPythonConfigurations } from '../processing/emr-pyspark-python';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { acknowledgeWildcardResource } from '../shared/nag-acknowledgements';

/** State names, in the order a successful run passes through them (tests and runbooks use these). */
export const RUN_STATES = {
  createCluster: 'Create EMR cluster',
  runAtmJob: 'Run ATM job step',
  terminateCluster: 'Terminate EMR cluster',
  reconcile: 'Reconcile run counts',
  startCrawler: 'Start processed crawler',
  waitForCrawler: 'Wait for crawler',
  checkCrawler: 'Check crawler',
  crawlerDone: 'Crawler finished?',
  loadWarehouse: 'Load warehouse',
  prepareRefresh: 'Prepare report refresh',
  refreshReports: 'Refresh reports',
  reportsDone: 'Reports refreshed?',
  waitForReports: 'Wait for report refresh',
  succeeded: 'Run succeeded',
  // Failure path, entered only through Catch.
  clusterCreated: 'Cluster to clean up?',
  terminateAfterFailure: 'Terminate EMR cluster after failure',
  attemptRecorded: 'Attempt in the input?',
  defaultAttempt: 'Attempt 1 by default',
  describeFailure: 'Describe failure',
  notifyFailure: 'Notify run failure',
  failed: 'Run failed',
} as const;

/** Every ATM step is named `<prefix><runId>` (monitoring matches failed steps on it). */
export const ATM_STEP_NAME_PREFIX = 'atm-job ';

/** Tag every run's cluster carries; the state machine may only act on clusters of its own stage. */
export const STAGE_TAG = 'bank-pipeline:stage';
export const RUN_ID_TAG = 'bank-pipeline:run-id';

export interface RunTimeouts {
  /**
   * Until the cluster is up (bootstrap included).
   * @default Duration.minutes(45)
   */
  readonly createCluster: Duration;
  /**
   * The ATM Spark step.
   * @default Duration.hours(4)
   */
  readonly atmStep: Duration;
  /**
   * The Glue load job.
   * @default Duration.hours(4)
   */
  readonly loadJob: Duration;
  /**
   * The whole execution; a last resort above the per-state timeouts, which are
   * catchable (an execution timeout is not, and would skip the cluster clean-up).
   * @default Duration.hours(12)
   */
  readonly execution: Duration;
}

export const DEFAULT_RUN_TIMEOUTS: RunTimeouts = {
  createCluster: Duration.minutes(45),
  atmStep: Duration.hours(4),
  loadJob: Duration.hours(4),
  execution: Duration.hours(12),
};

export interface RunStateMachineProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  readonly alertsTopic: sns.ITopic;
  readonly emr: EmrRunSettings;
  readonly rawBucket: s3.IBucket;
  readonly processedBucket: s3.IBucket;
  readonly quarantineBucket: s3.IBucket;
  readonly processedCrawlerName: string;
  readonly loadJobName: string;
  readonly reconcileFunction: lambda.IFunction;
  readonly crawlerStatusFunction: lambda.IFunction;
  readonly refreshReportsFunction: lambda.IFunction;
  /**
   * Per-state and execution timeouts.
   * @default DEFAULT_RUN_TIMEOUTS
   */
  readonly timeouts?: Partial<RunTimeouts>;
  /**
   * Pause between two crawler polls.
   * @default Duration.seconds(60)
   */
  readonly crawlerPollInterval?: Duration;
  /**
   * Pause between two report-refresh invocations.
   * @default Duration.seconds(30)
   */
  readonly reportPollInterval?: Duration;
}

/**
 * The run: one STANDARD execution per attempt at a closed hour of raw data, input
 * `{runId, attempt, executionName, rawPrefix, window}` (lambda/shared/run-input.ts). Every attempt
 * at an hour uses the hour's run id for the job, the manifest and the load, so a re-run replaces
 * what an earlier attempt wrote.
 *
 * Create a cluster for this run -> ATM step (.sync) -> terminate the cluster ->
 * reconcile the manifest counts -> start the processed crawler and poll it
 * (Glue has no .sync for crawlers) -> Glue load job (.sync) -> refresh the
 * reporting materialized views (polled) -> succeed.
 *
 * Every task has a Catch that records the failed state (`$failedState`) and the
 * error (`$.failure`), then: terminate the cluster if one was created (errors
 * ignored) -> publish the failure to the alerts topic -> fail with the original
 * error. start-run learns the failure from the execution's status and retries
 * the hour (lambda/start-run/start-run.ts). Per-state timeouts keep failures catchable; an aborted execution skips
 * the clean-up, which is why the cluster also carries an idle auto-termination
 * policy.
 */
export class RunStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: ManagedPolicyRole;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RunStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config, emr } = props;
    const timeouts = { ...DEFAULT_RUN_TIMEOUTS, ...props.timeouts };
    const stage = config.stage;

    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `Runs the ${stage} bank pipeline state machine`,
      policyId: 'Policy', // the id this role's policy was deployed with
    });
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.orchestration.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.dataKey,
      removalPolicy: config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    // ---------- failure path ----------
    const failed = new sfn.Fail(this, 'Failed', {
      stateName: RUN_STATES.failed,
      errorPath: sfn.JsonPath.stringAt('$.failure.Error'),
      causePath: sfn.JsonPath.stringAt('$.failure.Cause'),
    });
    const notifyFailure = new sfn.CustomState(this, RUN_STATES.notifyFailure, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::sns:publish`,
        Parameters: {
          TopicArn: props.alertsTopic.topicArn,
          Subject: `[${stage}] bank pipeline run failed`,
          'Message.$': 'States.JsonToString($.alert)',
        },
        ResultPath: null,
      },
    });
    notifyFailure.addRetry(
      apiRetry(['SNS.ThrottledException', 'SNS.InternalErrorException', 'SNS.KMSThrottlingException']),
    );
    // If even the alert cannot be sent, still fail the execution: the ExecutionsFailed alarm pages.
    notifyFailure.addCatch(failed, { resultPath: '$.notifyError' });
    notifyFailure.next(failed);

    // One JSON document per failure: readable in the email, parseable by chat/ticket integrations.
    const describeFailure = new sfn.Pass(this, 'DescribeFailure', {
      stateName: RUN_STATES.describeFailure,
      parameters: {
        alarm: `[${stage}] bank pipeline run failed`,
        'runId.$': '$.runId',
        'window.$': '$.window',
        'failedState.$': '$failedState',
        'error.$': '$.failure.Error',
        'cause.$': '$.failure.Cause',
        'execution.$': '$$.Execution.Id',
        'attempt.$': '$.attempt',
        rerun: {
          automatic:
            'start-run retries the hour (the whole hour, same run id, next attempt) on its next tick while fewer than maxRunAttempts attempts in a row have failed; after that the out-of-attempts alarm fires',
          how: 'when the retries are used up: fix the cause, then invoke the start-run function with this event',
          event: { 'window.$': '$.window', 'attempt.$': 'States.MathAdd($.attempt, 1)' },
        },
      },
      resultPath: '$.alert',
    });
    describeFailure.next(notifyFailure);

    // start-run always sets `attempt` (RunInput); an execution started by hand may not, and the
    // alert's States.MathAdd($.attempt, 1) would then fail the failure path itself.
    const defaultAttempt = new sfn.Pass(this, 'DefaultAttempt', {
      stateName: RUN_STATES.defaultAttempt,
      result: sfn.Result.fromNumber(1),
      resultPath: '$.attempt',
    });
    defaultAttempt.next(describeFailure);
    const attemptRecorded = new sfn.Choice(this, 'AttemptRecorded', { stateName: RUN_STATES.attemptRecorded })
      .when(sfn.Condition.isPresent('$.attempt'), describeFailure)
      .otherwise(defaultAttempt);

    const terminateAfterFailure = new sfn.CustomState(this, RUN_STATES.terminateAfterFailure, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::elasticmapreduce:terminateCluster`,
        Parameters: { 'ClusterId.$': '$.cluster.ClusterId' },
        ResultPath: null,
      },
    });
    terminateAfterFailure.addRetry(apiRetry(EMR_TRANSIENT_ERRORS));
    // Clean-up is best effort: the alert matters more, and idle auto-termination is the backstop.
    terminateAfterFailure.addCatch(attemptRecorded, { resultPath: '$.cleanupError' });
    terminateAfterFailure.next(attemptRecorded);

    const handleFailure = new sfn.Choice(this, 'ClusterCreated', { stateName: RUN_STATES.clusterCreated })
      .when(sfn.Condition.isPresent('$.cluster.ClusterId'), terminateAfterFailure)
      .otherwise(attemptRecorded);

    // The state machine's state names are the CustomStates' construct ids.
    const catchInto = (state: sfn.CustomState): sfn.CustomState =>
      state.addCatch(handleFailure, { resultPath: '$.failure', assign: { failedState: state.node.id } });

    // ---------- happy path ----------
    const createCluster = catchInto(
      new sfn.CustomState(this, RUN_STATES.createCluster, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${stack.partition}:states:::elasticmapreduce:createCluster.sync`,
          TimeoutSeconds: timeouts.createCluster.toSeconds(),
          Parameters: {
            'Name.$': intrinsicFormat(`${stage}-bank-pipeline-{}`, '$.runId'),
            ReleaseLabel: emr.releaseLabel,
            Applications: [{ Name: 'Spark' }],
            // PySpark on the release's declared Python, not EMR's default python3 (3.9 on EMR 7.x).
            Configurations: pysparkPythonConfigurations(emr.releaseLabel),
            ServiceRole: emr.serviceRole.roleName,
            JobFlowRole: emr.instanceProfileName,
            SecurityConfiguration: emr.securityConfigurationName,
            LogUri: emr.logUri,
            // Required true by EMR today; access is governed by IAM and the tag conditions below.
            VisibleToAllUsers: true,
            AutoTerminationPolicy: { IdleTimeout: emr.idleTimeoutSeconds },
            Instances: {
              Ec2SubnetId: emr.subnetId,
              EmrManagedMasterSecurityGroup: emr.primarySecurityGroupId,
              EmrManagedSlaveSecurityGroup: emr.coreSecurityGroupId,
              ServiceAccessSecurityGroup: emr.serviceAccessSecurityGroupId,
              KeepJobFlowAliveWhenNoSteps: true,
              TerminationProtected: false,
              InstanceGroups: [
                {
                  Name: 'Primary',
                  InstanceRole: 'MASTER',
                  InstanceType: emr.primaryInstanceType,
                  InstanceCount: 1,
                  Market: 'ON_DEMAND',
                },
                {
                  Name: 'Core',
                  InstanceRole: 'CORE',
                  InstanceType: emr.coreInstanceType,
                  InstanceCount: emr.coreInstanceCount,
                  Market: 'ON_DEMAND',
                },
              ],
            },
            Tags: [
              { Key: STAGE_TAG, Value: stage },
              { Key: RUN_ID_TAG, 'Value.$': '$.runId' },
              // AmazonEMRServicePolicy_v2 only manages resources carrying this tag.
              { Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' },
            ],
          },
          ResultSelector: { 'ClusterId.$': '$.ClusterId' },
          ResultPath: '$.cluster',
        },
      }),
    );
    createCluster.addRetry(
      apiRetry(EMR_TRANSIENT_ERRORS, { interval: Duration.seconds(30), maxAttempts: 3 }),
    );

    const s3Uri = (bucket: s3.IBucket, key = ''): string => `s3://${bucket.bucketName}/${key}`;
    const runAtmJob = catchInto(
      new sfn.CustomState(this, RUN_STATES.runAtmJob, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${stack.partition}:states:::elasticmapreduce:addStep.sync`,
          TimeoutSeconds: timeouts.atmStep.toSeconds(),
          Parameters: {
            'ClusterId.$': '$.cluster.ClusterId',
            Step: {
              'Name.$': intrinsicFormat(`${ATM_STEP_NAME_PREFIX}{}`, '$.runId'),
              ActionOnFailure: 'CONTINUE',
              HadoopJarStep: {
                Jar: 'command-runner.jar',
                'Args.$':
                  'States.Array(' +
                  [
                    intrinsicLiteral('spark-submit'),
                    intrinsicLiteral('--deploy-mode'),
                    intrinsicLiteral('cluster'),
                    intrinsicLiteral('--py-files'),
                    intrinsicLiteral(emr.atmJobPyFilesUri),
                    intrinsicLiteral(emr.atmJobScriptUri),
                    intrinsicLiteral('--input'),
                    intrinsicFormat(s3Uri(props.rawBucket, '{}'), '$.rawPrefix'),
                    intrinsicLiteral('--output'),
                    intrinsicLiteral(s3Uri(props.processedBucket)),
                    intrinsicLiteral('--quarantine'),
                    intrinsicLiteral(s3Uri(props.quarantineBucket)),
                    intrinsicLiteral('--run-id'),
                    '$.runId',
                  ].join(', ') +
                  ')',
              },
            },
          },
          ResultPath: null,
        },
      }),
    );
    // API throttling, then one re-run of a failed step: the job is reproducible per run id
    // (spark-jobs/bankpipe/job.py) and transient Spark failures (lost node, S3 503) are common.
    runAtmJob.addRetry(apiRetry(EMR_TRANSIENT_ERRORS));
    runAtmJob.addRetry({ errors: ['States.TaskFailed'], interval: Duration.minutes(1), maxAttempts: 1 });

    const terminateCluster = catchInto(
      new sfn.CustomState(this, RUN_STATES.terminateCluster, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${stack.partition}:states:::elasticmapreduce:terminateCluster`,
          Parameters: { 'ClusterId.$': '$.cluster.ClusterId' },
          ResultPath: null,
        },
      }),
    );
    terminateCluster.addRetry(apiRetry(EMR_TRANSIENT_ERRORS));

    const invoke = (
      stateName: string,
      fn: lambda.IFunction,
      payload: Record<string, unknown>,
      result: { selector: Record<string, string>; path: string },
    ): sfn.CustomState => {
      const state = catchInto(
        new sfn.CustomState(this, stateName, {
          stateJson: {
            Type: 'Task',
            Resource: `arn:${stack.partition}:states:::lambda:invoke`,
            TimeoutSeconds: 900,
            Parameters: { FunctionName: fn.functionArn, ...payload },
            ResultSelector: result.selector,
            ResultPath: result.path,
          },
        }),
      );
      // Only transient errors are retried; PermanentError and its kinds fail the run at once.
      state.addRetry(apiRetry(LAMBDA_TRANSIENT_ERRORS, { interval: Duration.seconds(5), maxAttempts: 4 }));
      return state;
    };

    const reconcile = invoke(
      RUN_STATES.reconcile,
      props.reconcileFunction,
      {
        // The start time lets reconcile-run tell late objects from lines the job skipped.
        Payload: {
          'runId.$': '$.runId',
          'rawPrefix.$': '$.rawPrefix',
          'startedAt.$': '$$.Execution.StartTime',
        },
      },
      {
        selector: {
          'read.$': '$.Payload.read',
          'valid.$': '$.Payload.valid',
          'quarantined.$': '$.Payload.quarantined',
          'duplicates.$': '$.Payload.duplicates',
          'rawLines.$': '$.Payload.rawLines',
          'lateLines.$': '$.Payload.lateLines',
        },
        path: '$.reconciliation',
      },
    );

    const startCrawler = catchInto(
      new sfn.CustomState(this, RUN_STATES.startCrawler, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${stack.partition}:states:::aws-sdk:glue:startCrawler`,
          Parameters: { Name: props.processedCrawlerName },
          ResultSelector: { polls: 0, done: false },
          ResultPath: '$.crawl',
        },
      }),
    );
    // Another crawl of the processed zone (a manual one) must finish first.
    startCrawler.addRetry({
      errors: ['Glue.CrawlerRunningException'],
      interval: Duration.minutes(1),
      backoffRate: 1.5,
      maxAttempts: 8,
    });
    startCrawler.addRetry(apiRetry(GLUE_TRANSIENT_ERRORS));

    const waitForCrawler = new sfn.Wait(this, 'WaitForCrawler', {
      stateName: RUN_STATES.waitForCrawler,
      time: sfn.WaitTime.duration(props.crawlerPollInterval ?? Duration.seconds(60)),
    });
    // The function throws CrawlerFailedError / CrawlerTimeoutError, so the loop is bounded.
    const checkCrawler = invoke(
      RUN_STATES.checkCrawler,
      props.crawlerStatusFunction,
      { Payload: { 'startedAfter.$': '$$.Execution.StartTime', 'polls.$': '$.crawl.polls' } },
      { selector: { 'done.$': '$.Payload.done', 'polls.$': '$.Payload.polls' }, path: '$.crawl' },
    );

    const loadWarehouse = catchInto(
      new sfn.CustomState(this, RUN_STATES.loadWarehouse, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${stack.partition}:states:::glue:startJobRun.sync`,
          TimeoutSeconds: timeouts.loadJob.toSeconds(),
          Parameters: { JobName: props.loadJobName, Arguments: { '--run_id.$': '$.runId' } },
          ResultPath: null,
        },
      }),
    );
    loadWarehouse.addRetry(apiRetry(GLUE_TRANSIENT_ERRORS, { interval: Duration.seconds(30) }));

    const prepareRefresh = new sfn.Pass(this, 'PrepareRefresh', {
      stateName: RUN_STATES.prepareRefresh,
      parameters: { 'runId.$': '$.runId', viewIndex: 0, statementId: null, invocations: 0, done: false },
      resultPath: '$.refresh',
    });
    // The function returns its progress; it throws ReportRefreshError past its invocation budget.
    const refreshReports = invoke(
      RUN_STATES.refreshReports,
      props.refreshReportsFunction,
      { 'Payload.$': '$.refresh' },
      {
        selector: {
          'runId.$': '$.Payload.runId',
          'viewIndex.$': '$.Payload.viewIndex',
          'statementId.$': '$.Payload.statementId',
          'invocations.$': '$.Payload.invocations',
          'done.$': '$.Payload.done',
        },
        path: '$.refresh',
      },
    );
    const waitForReports = new sfn.Wait(this, 'WaitForReports', {
      stateName: RUN_STATES.waitForReports,
      time: sfn.WaitTime.duration(props.reportPollInterval ?? Duration.seconds(30)),
    });
    const succeeded = new sfn.Succeed(this, 'Succeeded', { stateName: RUN_STATES.succeeded });

    const reportsDone = new sfn.Choice(this, 'ReportsDone', { stateName: RUN_STATES.reportsDone })
      .when(sfn.Condition.booleanEquals('$.refresh.done', true), succeeded)
      .otherwise(waitForReports.next(refreshReports));
    const crawlerDone = new sfn.Choice(this, 'CrawlerDone', { stateName: RUN_STATES.crawlerDone })
      .when(
        sfn.Condition.booleanEquals('$.crawl.done', true),
        loadWarehouse.next(prepareRefresh).next(refreshReports).next(reportsDone),
      )
      .otherwise(waitForCrawler);

    const definition = createCluster
      .next(runAtmJob)
      .next(terminateCluster)
      .next(reconcile)
      .next(startCrawler)
      .next(waitForCrawler)
      .next(checkCrawler)
      .next(crawlerDone);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${stage}-bank-pipeline-run`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      role: this.role,
      timeout: timeouts.execution,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: 'One run of the bank transaction pipeline for one closed hour of raw data',
    });
    this.grantRunPermissions(props);
    this.acknowledgeUnscopedActions();
  }

  /** Exactly what the states above call, nothing the CDK task classes would add on their own. */
  private grantRunPermissions(props: RunStateMachineProps): void {
    const stack = Stack.of(this);
    const stage = props.config.stage;
    const clusters = stack.formatArn({ service: 'elasticmapreduce', resource: 'cluster', resourceName: '*' });
    const ownStageClusters = { StringEquals: { [`elasticmapreduce:ResourceTag/${STAGE_TAG}`]: stage } };
    const statements = [
      new iam.PolicyStatement({
        sid: 'CreateRunClustersTaggedWithStage',
        // RunJobFlow has no resource type (the cluster does not exist yet). The tags of the request are
        // authorized by RunJobFlow itself, tag-on-create needs no AddTags, so every cluster this role
        // creates carries this stage's tag.
        actions: ['elasticmapreduce:RunJobFlow'],
        resources: ['*'],
        conditions: { StringEquals: { [`elasticmapreduce:RequestTag/${STAGE_TAG}`]: stage } },
      }),
      new iam.PolicyStatement({
        sid: 'TagOnlyOwnStageClusters',
        // Only clusters that already carry this stage's tag, only the run's own tag keys, and never
        // another stage value: tagging any other cluster with this stage would bring it under
        // DriveOwnStageClusters below.
        actions: ['elasticmapreduce:AddTags'],
        resources: [clusters],
        conditions: {
          StringEquals: { [`elasticmapreduce:ResourceTag/${STAGE_TAG}`]: stage },
          StringEqualsIfExists: { [`elasticmapreduce:RequestTag/${STAGE_TAG}`]: stage },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [STAGE_TAG, RUN_ID_TAG] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'DriveOwnStageClusters',
        actions: [
          'elasticmapreduce:DescribeCluster',
          'elasticmapreduce:TerminateJobFlows',
          'elasticmapreduce:AddJobFlowSteps',
          'elasticmapreduce:DescribeStep',
          'elasticmapreduce:CancelSteps',
        ],
        resources: [clusters],
        conditions: ownStageClusters,
      }),
      new iam.PolicyStatement({
        sid: 'PassEmrRoles',
        actions: ['iam:PassRole'],
        resources: [props.emr.serviceRole.roleArn, props.emr.jobFlowRole.roleArn],
      }),
      new iam.PolicyStatement({
        sid: 'EmrCleanupServiceLinkedRole',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [
          stack.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: 'aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMRCleanup',
          }),
        ],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticmapreduce.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'SyncIntegrationRules',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventForEMRRunJobFlowRule',
          }),
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventForEMRAddJobFlowStepsRule',
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'StartProcessedCrawler',
        actions: ['glue:StartCrawler'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'crawler', resourceName: props.processedCrawlerName }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'RunLoadJob',
        actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
        resources: [stack.formatArn({ service: 'glue', resource: 'job', resourceName: props.loadJobName })],
      }),
      new iam.PolicyStatement({
        sid: 'InvokeRunFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: [
          props.reconcileFunction.functionArn,
          props.crawlerStatusFunction.functionArn,
          props.refreshReportsFunction.functionArn,
        ],
      }),
      new iam.PolicyStatement({
        sid: 'PublishFailureAlerts',
        actions: ['sns:Publish'],
        resources: [props.alertsTopic.topicArn],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptAlertsWithPipelineKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.dataKey.keyArn],
      }),
    ];
    statements.forEach((statement) => this.role.addToPrincipalPolicy(statement));
  }

  /** Called after grantRunPermissions, so the role's policy exists. */
  private acknowledgeUnscopedActions(): void {
    const policy = this.role.permissionsPolicy;
    const clusters = Stack.of(this).formatArn({
      service: 'elasticmapreduce',
      resource: 'cluster',
      resourceName: '*',
    });
    acknowledgeWildcardResource(
      policy,
      '*',
      'Run state machine role: elasticmapreduce:RunJobFlow has no resource type (the cluster does not exist yet) and is limited by a RequestTag condition to clusters tagged with this stage; ' +
        'the CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery, ...) and X-Ray PutTraceSegments/GetSampling* that Step Functions logging and tracing need support no resource-level permissions',
    );
    acknowledgeWildcardResource(
      policy,
      clusters,
      'Run state machine role: the per-run EMR cluster id is only known at run time; the actions (AddTags included) are limited by an elasticmapreduce:ResourceTag condition to clusters already tagged with this stage',
    );
  }
}
