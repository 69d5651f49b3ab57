import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { AnalyticsMonitoringTargets } from './analytics-stack';
import type { OrchestrationMonitoringTargets } from './orchestration-stack';
import type { PipelineStackProps } from './pipeline-stack-props';
import type { ProcessingMonitoringTargets } from './processing-stack';
import type { StreamingMonitoringTargets } from './streaming-stack';
import type { WarehouseMonitoringTargets } from './warehouse-stack';

export interface MonitoringStackProps extends PipelineStackProps {
  readonly dataKey: kms.IKey;
  readonly alertsTopic: sns.ITopic;
  readonly watched: {
    readonly streaming: StreamingMonitoringTargets;
    readonly processing: ProcessingMonitoringTargets;
    readonly analytics: AnalyticsMonitoringTargets;
    readonly warehouse: WarehouseMonitoringTargets;
    readonly orchestration: OrchestrationMonitoringTargets;
  };
}

/** One CloudWatch dashboard for the whole pipeline and the alarms that page the alerts topic. */
export class MonitoringStack extends Stack {
  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
