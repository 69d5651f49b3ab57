import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DataServiceStackProps } from './shared-stack-props';

export interface StreamingStackProps extends DataServiceStackProps {
  /**
   * Folder holding the built MSK Connect plugin zips.
   * @default 'connectors/dist'
   */
  readonly pluginDistDir: string;
}

/** What the dashboard and alarms watch in the streaming layer. */
export interface StreamingMonitoringTargets {
  readonly clusterName: string;
  readonly topicName: string;
  readonly sourceConnectorName: string;
  readonly sinkConnectorName: string;
  /** Consumer group of the S3 sink connector (for consumer lag). */
  readonly sinkConsumerGroup: string;
}

/** MSK cluster, transactions topic, MSK Connect plugins, worker config and the two connectors. */
export class StreamingStack extends Stack {
  readonly monitoringTargets!: StreamingMonitoringTargets;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
