export interface AnalyticsMonitoringTargets {
  readonly crawlerNames: string[];
  readonly loadJobName: string;
  readonly athenaWorkgroupName: string;
}
