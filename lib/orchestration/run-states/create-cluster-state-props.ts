import type { Duration } from 'aws-cdk-lib';
import type { EmrRunSettings } from '../../processing/emr-run-settings';

export interface CreateClusterStateProps {
  /** Stage name: the cluster's name prefix and its stage tag. */
  readonly stage: string;
  /** Release, roles, network and instances of the run's cluster. */
  readonly emr: EmrRunSettings;
  /** Until the cluster is up (bootstrap included). */
  readonly timeout: Duration;
}
