import type { DataServiceStackProps } from '../shared/shared-stack-props';
import type { MskCluster } from '../streaming/msk-cluster';

/**
 * Props of AlertsStack. What it deploys is set by `config.liveAlerts`
 * (`enabled`, `batchingWindowSeconds`, `stateTtlHours`, `retryAttempts`;
 * defaults in lib/config/stage-settings.ts) and `config.streaming.topicName`.
 */
export interface AlertsStackProps extends DataServiceStackProps {
  /** The streaming stack's MSK cluster, whose transactions topic the consumer reads. */
  readonly cluster: MskCluster;
}
