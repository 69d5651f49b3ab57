import type { Duration } from 'aws-cdk-lib';
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
import { encryptedLogGroup } from '../shared/encrypted-log-group';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { stageResourcePrefix } from '../shared/pipeline-layout';
import { atmStepState } from './run-states/atm-step-state';
import { createClusterState } from './run-states/create-cluster-state';
import { crawlLoop } from './run-states/crawl-loop';
import { failurePath } from './run-states/failure-path';
import { loadWarehouseState } from './run-states/load-warehouse-state';
import { reconcileState } from './run-states/reconcile-state';
import { reportRefreshLoop } from './run-states/report-refresh-loop';
import { atmStepRerun, createClusterRetry, emrApiRetry } from './run-states/run-retries';
import { acknowledgeUnscopedRunActions, grantRunPermissions } from './run-states/run-role-permissions';
import { RUN_STATES } from './run-states/run-state-names';
import { catchIntoFailurePath } from './run-states/run-task';
import { DEFAULT_RUN_TIMEOUTS, type RunTimeouts } from './run-states/run-timeouts-props';
import { terminateClusterState } from './run-states/terminate-cluster-state';

// The run state machine's public names, importable from the state machine itself.
export { ATM_STEP_NAME_PREFIX, RUN_STATES } from './run-states/run-state-names';
export { RUN_ID_TAG, STAGE_TAG } from './run-states/run-cluster-tags';
export { DEFAULT_RUN_TIMEOUTS, type RunTimeouts } from './run-states/run-timeouts-props';

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
 * (Glue has no .sync for crawlers; skipped where the crawler runs on its own
 * schedule, analytics.crawlerSchedule) -> Glue load job (.sync) -> refresh the
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
    const { config, emr } = props;
    const timeouts = { ...DEFAULT_RUN_TIMEOUTS, ...props.timeouts };
    const stage = config.stage;

    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `Runs the ${stage} bank pipeline state machine`,
      policyId: 'Policy', // the id this role's policy was deployed with
    });
    this.logGroup = encryptedLogGroup(this, 'LogGroup', { config, dataKey: props.dataKey });

    // Every state is created in this construct: the state names are the ids of the CustomStates,
    // and the failure path reads them back as `$failedState`.
    const catchInto = catchIntoFailurePath(failurePath(this, { stage, alertsTopic: props.alertsTopic }));

    const createCluster = catchInto(
      createClusterState(this, { stage, emr, timeout: timeouts.createCluster }),
    );
    createCluster.addRetry(createClusterRetry());

    const runAtmJob = catchInto(
      atmStepState(this, {
        emr,
        rawBucket: props.rawBucket,
        processedBucket: props.processedBucket,
        quarantineBucket: props.quarantineBucket,
        timeout: timeouts.atmStep,
      }),
    );
    // API throttling first, then one re-run of the failed step.
    runAtmJob.addRetry(emrApiRetry());
    runAtmJob.addRetry(atmStepRerun());

    const terminateCluster = catchInto(terminateClusterState(this, RUN_STATES.terminateCluster));
    terminateCluster.addRetry(emrApiRetry());

    const reconcile = catchInto(reconcileState(this, props.reconcileFunction));

    const loadWarehouse = catchInto(
      loadWarehouseState(this, { loadJobName: props.loadJobName, timeout: timeouts.loadJob }),
    );
    const succeeded = new sfn.Succeed(this, 'Succeeded', { stateName: RUN_STATES.succeeded });
    const loadAndRefresh = loadWarehouse.next(
      reportRefreshLoop(
        this,
        { refreshReportsFunction: props.refreshReportsFunction, pollInterval: props.reportPollInterval },
        catchInto,
        succeeded,
      ),
    );
    // A stage whose processed crawler runs on its own schedule (analytics.crawlerSchedule) loads right after reconcile.
    const crawlsEachRun = config.analytics.crawlerSchedule === undefined;
    const afterReconcile = crawlsEachRun
      ? crawlLoop(
          this,
          {
            processedCrawlerName: props.processedCrawlerName,
            crawlerStatusFunction: props.crawlerStatusFunction,
            pollInterval: props.crawlerPollInterval,
          },
          catchInto,
          loadAndRefresh,
        )
      : loadAndRefresh;

    const definition = createCluster
      .next(runAtmJob)
      .next(terminateCluster)
      .next(reconcile)
      .next(afterReconcile);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${stageResourcePrefix(stage)}-run`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      role: this.role,
      timeout: timeouts.execution,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: 'One run of the bank transaction pipeline for one closed hour of raw data',
    });
    grantRunPermissions(this.role, {
      stage,
      emr,
      // The crawl's permissions only where the run crawls.
      crawl: crawlsEachRun
        ? {
            processedCrawlerName: props.processedCrawlerName,
            crawlerStatusFunction: props.crawlerStatusFunction,
          }
        : undefined,
      loadJobName: props.loadJobName,
      reconcileFunction: props.reconcileFunction,
      refreshReportsFunction: props.refreshReportsFunction,
      alertsTopic: props.alertsTopic,
      dataKey: props.dataKey,
    });
    acknowledgeUnscopedRunActions(this.role);
  }
}
