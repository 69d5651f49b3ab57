import { Template } from 'aws-cdk-lib/assertions';
import type { WarehouseKind } from '../../../lib/config';
import { applyNagPacks } from '../../../lib/shared/nag';
import { MonitoringStack } from '../../../lib/monitoring/monitoring-stack';
import { createStandIns, orchestrationOnStandIns, STAND_IN_ENV } from '../stand-ins';

/**
 * Synthesizes MonitoringStack on stand-ins (watching a real OrchestrationStack),
 * with the nag packs on; throws on any unacknowledged finding.
 */
export function synthMonitoringAlone(warehouseKind: WarehouseKind = 'serverless'): { template: Template } {
  const standIns = createStandIns('dev');
  const { stack: orchestration, inputs } = orchestrationOnStandIns(standIns);
  const monitoring = new MonitoringStack(standIns.app, 'dev-bankpipe-monitoring', {
    config: standIns.config,
    env: STAND_IN_ENV,
    dataKey: standIns.dataKey,
    alertsTopic: inputs.alertsTopic,
    watched: {
      streaming: {
        clusterName: 'dev-bankpipe-msk',
        topicName: 'bank.transactions.v1',
        sourceConnectorName: 'sftp-source-0a1b2c3d',
        sinkConnectorName: 's3-sink-4e5f6a7b',
        sinkConsumerGroup: 'connect-s3-sink-4e5f6a7b',
        clusterArn: 'arn:aws:kafka:eu-central-1:111111111111:cluster/dev-bankpipe-msk/abc',
        brokerCount: 2,
        brokerLogGroupName: '/stand-in/msk',
        connectorLogGroupName: '/stand-in/connect',
      },
      processing: { securityConfigurationName: 'stand-in-security-configuration' },
      analytics: {
        crawlerNames: ['stand-in-raw-crawler', 'stand-in-processed-crawler'],
        loadJobName: 'stand-in-load-job',
        athenaWorkgroupName: 'stand-in-workgroup',
      },
      warehouse:
        warehouseKind === 'serverless'
          ? { kind: 'serverless', workgroupName: 'stand-in-workgroup' }
          : { kind: 'provisioned', clusterIdentifier: 'stand-in-cluster' },
      orchestration: orchestration.monitoringTargets,
    },
  });
  applyNagPacks(standIns.app);
  standIns.app.synth();
  return { template: Template.fromStack(monitoring) };
}
