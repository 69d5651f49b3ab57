import type { Construct } from 'constructs';
import { PipelineStack } from '../shared/pipeline-stack';
import type { AlertsMonitoringTargets } from './alerts-monitoring-targets';
import type { AlertsStackProps } from './alerts-stack-props';
import { LIVE_ALERTS_SERVICE, LiveAlertsConsumer } from './live-alerts-consumer';

export type { AlertsStackProps } from './alerts-stack-props';

/**
 * The live path beside the hourly batch: fraud alerts within seconds of a
 * transaction reaching the topic (LiveAlertsConsumer), archived in the
 * processed zone for Athena.
 */
export class AlertsStack extends PipelineStack {
  readonly consumer: LiveAlertsConsumer;
  readonly monitoringTargets: AlertsMonitoringTargets;

  constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);
    const { config, securityGroups } = props;
    this.consumer = new LiveAlertsConsumer(this, 'LiveAlerts', {
      config,
      dataKey: props.dataKey,
      vpc: props.vpc,
      securityGroup: securityGroups.lambda,
      clusterSecurityGroup: securityGroups.msk,
      cluster: props.cluster,
      topicName: config.streaming.topicName,
      archiveBucket: props.buckets.processed,
    });
    this.monitoringTargets = {
      fn: this.consumer.function.function,
      serviceName: LIVE_ALERTS_SERVICE,
      onFailureQueue: this.consumer.onFailureQueue,
    };
  }
}
