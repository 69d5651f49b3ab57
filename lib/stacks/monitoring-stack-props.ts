import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { AnalyticsMonitoringTargets } from './analytics-stack';
import type { OrchestrationMonitoringTargets } from './orchestration-stack';
import type { PipelineStackProps } from './pipeline-stack-props';
import type { ProcessingMonitoringTargets } from './processing-stack';
import type { StreamingMonitoringTargets } from './streaming-stack';
import type { WarehouseMonitoringTargets } from './warehouse-stack';

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
  };
  /**
   * Name of the CloudWatch dashboard.
   * @default '<stage>-bank-pipeline'
   */
  readonly dashboardName?: string;
}
