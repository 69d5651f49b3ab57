export interface ProcessingMonitoringTargets {
  /** Name of the EMR security configuration (for the dashboard's description). */
  readonly securityConfigurationName: string;
}
