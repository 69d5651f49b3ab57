/**
 * Powertools service names of the run functions: the `service` dimension of
 * their custom metrics (namespace PIPELINE_METRICS_NAMESPACE) and the labels
 * of their alarms. The handlers pass the same names to createObservability().
 */
export const RUN_SERVICES = {
  startRun: 'start-run',
  reconcile: 'reconcile-run',
  crawlerStatus: 'crawler-status',
  refreshReports: 'refresh-reports',
} as const;
