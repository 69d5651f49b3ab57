/**
 * Names of the consumer's custom metrics (Powertools, dimension `service`),
 * shared with the dashboard and alarms (lib/monitoring/monitoring-live-alerts.ts).
 */
export const LIVE_ALERT_METRICS = {
  badLines: 'LiveAlertBadLines',
  alertsRaised: 'LiveAlertsRaised',
  stateConflicts: 'LiveAlertStateConflicts',
  failedRecords: 'LiveAlertFailedRecords',
} as const;
