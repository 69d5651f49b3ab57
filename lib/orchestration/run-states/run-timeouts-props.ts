import { Duration } from 'aws-cdk-lib';

export interface RunTimeouts {
  /**
   * Until the cluster is up (bootstrap included).
   * @default Duration.minutes(45)
   */
  readonly createCluster: Duration;
  /**
   * The ATM Spark step.
   * @default Duration.hours(4)
   */
  readonly atmStep: Duration;
  /**
   * The Glue load job.
   * @default Duration.hours(4)
   */
  readonly loadJob: Duration;
  /**
   * The whole execution; a last resort above the per-state timeouts, which are
   * catchable (an execution timeout is not, and would skip the cluster clean-up).
   * @default Duration.hours(12)
   */
  readonly execution: Duration;
}

export const DEFAULT_RUN_TIMEOUTS: RunTimeouts = {
  createCluster: Duration.minutes(45),
  atmStep: Duration.hours(4),
  loadJob: Duration.hours(4),
  execution: Duration.hours(12),
};
