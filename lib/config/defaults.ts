import { TRANSACTIONS_TOPIC } from '../../connectors/connector-config';
import { DEFAULT_EMR_RELEASE_LABEL, MSK_KAFKA_VERSION } from './aws-runtimes';
import type { StageConfig } from './stage-config';

/** Everything in StageConfig except the identity fields, which the loader fills in. */
export type StageSettings = Omit<StageConfig, 'stage' | 'allowDestroy'>;

/**
 * Defaults for every stage; `cdk.json` context `stages.<name>` overrides them key by key.
 * Sized for a small dev account: the prod stage in cdk.json raises what matters.
 */
export function defaultStageSettings(stage: string): StageSettings {
  return {
    network: {
      vpcCidr: '10.40.0.0/16',
      maxAzs: 3,
      natGateways: 1,
      flowLogRetentionDays: 365,
      // Unset: the first maxAzs zones of the region (Fn::GetAZs), as before this setting existed.
      availabilityZones: undefined,
      // Unset: every interface endpoint, one ENI per zone (interface-endpoints.ts).
      interfaceEndpoints: undefined,
      endpointAzCount: undefined,
    },
    storage: {
      rawInfrequentAccessAfterDays: 30,
      rawGlacierAfterDays: 90,
      quarantineExpireAfterDays: 400,
      athenaResultsExpireAfterDays: 30,
      accessLogsExpireAfterDays: 365,
    },
    streaming: {
      brokerCount: 3,
      brokerInstanceType: 'kafka.t3.small',
      kafkaVersion: MSK_KAFKA_VERSION,
      brokerVolumeGiB: 100,
      // The same topic name the local twin uses, from the connector config module.
      topicName: TRANSACTIONS_TOPIC,
      topicPartitions: 6,
      connectMcuCount: 1,
      connectWorkerCount: 1,
      sftpSecretName: `${stage}/bank-pipeline/sftp-log-server`,
      sftpInputDir: '/transactions/incoming',
      useTransferFamily: false,
    },
    processing: {
      emrReleaseLabel: DEFAULT_EMR_RELEASE_LABEL,
      primaryInstanceType: 'm7g.xlarge',
      coreInstanceType: 'm7g.xlarge',
      coreInstanceCount: 2,
      idleTimeoutMinutes: 30,
      // Set per stage in cdk.json; prod refuses to synth without it (emr-in-transit-encryption.ts).
      emrTlsCertificatesZipKey: undefined,
    },
    analytics: {
      athenaBytesScannedCutoff: 10 * 1024 ** 3,
      glueWorkerType: 'G.1X',
      glueNumberOfWorkers: 2,
    },
    warehouse: {
      kind: 'serverless',
      baseCapacityRpu: 8,
      nodeType: 'ra3.large',
      numberOfNodes: 2,
      databaseName: 'bank',
    },
    orchestration: {
      runIntervalMinutes: 60,
      logRetentionDays: 90,
      maxRunAttempts: 3,
      reservedConcurrency: false,
    },
    monitoring: { alarmEmail: undefined, maxConsumerLag: 100_000 },
    liveAlerts: { enabled: true, batchingWindowSeconds: 1, stateTtlHours: 48, retryAttempts: 5 },
  };
}
