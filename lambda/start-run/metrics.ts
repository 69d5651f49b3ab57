/**
 * start-run's custom metrics (Powertools, namespace PIPELINE_METRICS_NAMESPACE, dimension
 * `service` = start-run) that the monitoring stack reads.
 */
export const START_RUN_METRICS = {
  /**
   * Hours in the look-back whose latest `maxRunAttempts` attempts all failed, counted on every
   * tick that examined the hours; the out-of-attempts alarm fires on 1 or more.
   */
  hoursOutOfAttempts: 'HoursOutOfAttempts',
} as const;
