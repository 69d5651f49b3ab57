import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { AlertsMonitoringTargets } from '../alerts/alerts-monitoring-targets';
import type { AnalyticsMonitoringTargets } from '../analytics/analytics-monitoring-targets';
import type { OrchestrationMonitoringTargets } from '../orchestration/orchestration-monitoring-targets';
import type { PipelineStackProps } from '../shared/pipeline-stack-props';
import type { ProcessingMonitoringTargets } from '../processing/processing-monitoring-targets';
import type { StreamingMonitoringTargets } from '../streaming/streaming-monitoring-targets';
import type { WarehouseMonitoringTargets } from '../warehouse/warehouse-monitoring-targets';

/** Props of MonitoringStack: what it watches and where alarms go. */
export interface MonitoringStackProps extends PipelineStackProps {
  /** The pipeline key (kept in the contract for encrypted monitoring resources). */
  readonly dataKey: kms.IKey;
  /** Topic every alarm and failure event is sent to (FoundationStack; its policies allow CloudWatch and EventBridge). */
  readonly alertsTopic: sns.ITopic;
  readonly watched: {
    readonly streaming: StreamingMonitoringTargets;
    readonly processing: ProcessingMonitoringTargets;
    readonly analytics: AnalyticsMonitoringTargets;
    readonly warehouse: WarehouseMonitoringTargets;
    readonly orchestration: OrchestrationMonitoringTargets;
    /** The live fraud-alert consumer, when the stage deploys it (`liveAlerts.enabled`). */
    readonly alerts?: AlertsMonitoringTargets;
  };
  /**
   * Name of the CloudWatch dashboard.
   * @default '<stage>-<slug>' (stageResourcePrefix, e.g. 'dev-bankpipe')
   */
  readonly dashboardName?: string;
}
