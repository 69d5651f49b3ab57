import type { DataServiceStackProps } from '../shared/shared-stack-props';

/**
 * Props of StreamingStack. Sizes come from `config.streaming`: `brokerCount`
 * (default 2), `brokerInstanceType` (default 'kafka.t3.small'), `kafkaVersion`
 * (default '3.7.x'), `brokerVolumeGiB` (default 100), `topicName` (default
 * 'bank.transactions.v1'), `topicPartitions` (default 6), `connectMcuCount` and
 * `connectWorkerCount` (default 1 each), `sftpSecretName` (default
 * '<stage>/bank-pipeline/sftp-log-server'), `sftpInputDir` (default
 * '/transactions/incoming') and `useTransferFamily` (default false).
 */
export interface StreamingStackProps extends DataServiceStackProps {
  /**
   * Folder holding the built MSK Connect plugin zips (`sftp-jsonl-source-*.zip`,
   * `s3-jsonl-sink-*.zip`, built by connectors/build-plugins.sh).
   * @default 'connectors/dist' (set by buildPipeline)
   */
  readonly pluginDistDir: string;
}
