/** What the dashboard and alarms watch in the streaming layer. */
export interface StreamingMonitoringTargets {
  readonly clusterName: string;
  readonly topicName: string;
  readonly sourceConnectorName: string;
  readonly sinkConnectorName: string;
  /** Consumer group of the S3 sink connector (for consumer lag). */
  readonly sinkConsumerGroup: string;
  /** ARN of the MSK cluster. */
  readonly clusterArn: string;
  /** Number of brokers (the `Broker ID` dimension runs 1..brokerCount). */
  readonly brokerCount: number;
  /** Log group of the MSK broker logs. */
  readonly brokerLogGroupName: string;
  /** Log group of the MSK Connect worker logs (both connectors). */
  readonly connectorLogGroupName: string;
}
