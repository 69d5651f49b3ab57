import * as sns from 'aws-cdk-lib/aws-sns';
import { stageResourcePrefix } from '../shared/pipeline-layout';
import type { Construct } from 'constructs';
import { PipelineAlarms } from './monitoring-alarms';
import { PipelineDashboard } from './monitoring-dashboard';
import { FailureEvents } from './monitoring-failure-events';
import { LiveAlertsMonitoring } from './monitoring-live-alerts';
import { ATM_STEP_NAME_PREFIX } from '../orchestration/orchestration-run-state-machine';
import { RUN_SERVICES } from '../orchestration/orchestration-services';
import type { MonitoringStackProps } from './monitoring-stack-props';
import { PipelineStack } from '../shared/pipeline-stack';

export type { MonitoringStackProps } from './monitoring-stack-props';

/**
 * One CloudWatch dashboard for the whole pipeline and the alarms that page the alerts topic.
 *
 * - PipelineAlarms: failed/timed-out/aborted runs, Lambda errors, DLQ not empty,
 *   sink consumer lag above `monitoring.maxConsumerLag`, connector errored tasks,
 *   failed report refreshes, and (provisioned) warehouse health.
 * - FailureEvents: EMR ATM step, Glue load job and crawler failures, which AWS
 *   reports as events, forwarded to the topic by EventBridge.
 * - PipelineDashboard: the metrics behind all of the above, plus MSK throughput.
 */
export class MonitoringStack extends PipelineStack {
  readonly alarms: PipelineAlarms;
  readonly failureEvents: FailureEvents;
  readonly dashboard: PipelineDashboard;
  /** Alarms and widgets of the live fraud-alert consumer, when the stage has one. */
  readonly liveAlerts?: LiveAlertsMonitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, watched } = props;
    const stage = config.stage;
    // Referenced by ARN: targets and alarm actions then add nothing to the topic's own stack
    // (FoundationStack's topic and key policies already allow CloudWatch and EventBridge).
    const alertsTopic = sns.Topic.fromTopicArn(this, 'AlertsTopic', props.alertsTopic.topicArn);
    const { orchestration } = watched;
    const functions = orchestration.namedFunctions.map(({ name, fn }) => ({ label: name, fn }));
    const deadLetterQueues = orchestration.namedDeadLetterQueues.map(({ name, queue }) => ({
      label: name,
      queue,
    }));

    this.failureEvents = new FailureEvents(this, 'FailureEvents', {
      stage,
      alertsTopic,
      loadJobName: watched.analytics.loadJobName,
      crawlerNames: watched.analytics.crawlerNames,
      atmStepNamePrefix: ATM_STEP_NAME_PREFIX,
    });

    this.alarms = new PipelineAlarms(this, 'Alarms', {
      stage,
      alertsTopic,
      stateMachine: orchestration.stateMachine,
      functions,
      deadLetterQueues,
      streaming: watched.streaming,
      warehouse: watched.warehouse,
      maxConsumerLag: config.monitoring.maxConsumerLag,
      reportRefreshService: RUN_SERVICES.refreshReports,
    });

    this.liveAlerts =
      watched.alerts === undefined
        ? undefined
        : new LiveAlertsMonitoring(this, 'LiveAlerts', { stage, alertsTopic, targets: watched.alerts });

    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? stageResourcePrefix(stage),
      stateMachine: orchestration.stateMachine,
      functions,
      deadLetterQueues,
      streaming: watched.streaming,
      analytics: watched.analytics,
      warehouse: watched.warehouse,
      failureRules: {
        emrStep: this.failureEvents.emrStepFailed.ruleName,
        loadJob: this.failureEvents.loadJobFailed.ruleName,
        crawler: this.failureEvents.crawlerFailed.ruleName,
      },
      services: RUN_SERVICES,
      maxConsumerLag: config.monitoring.maxConsumerLag,
      alarms: [...this.alarms.alarms, ...(this.liveAlerts?.alarms ?? [])],
    });
    if (this.liveAlerts) this.dashboard.dashboard.addWidgets(...this.liveAlerts.widgets);
  }
}
