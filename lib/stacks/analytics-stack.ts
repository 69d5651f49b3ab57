import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DataServiceStackProps } from './shared-stack-props';
import type { WarehouseConnection } from './warehouse-stack';

export interface AnalyticsStackProps extends DataServiceStackProps {
  readonly warehouse: WarehouseConnection;
}

/** Names the orchestration starts and waits for. */
export interface AnalyticsRunTargets {
  readonly glueDatabaseName: string;
  readonly rawCrawlerName: string;
  readonly processedCrawlerName: string;
  readonly loadJobName: string;
  readonly athenaWorkgroupName: string;
}

export interface AnalyticsMonitoringTargets {
  readonly crawlerNames: string[];
  readonly loadJobName: string;
  readonly athenaWorkgroupName: string;
}

/** Glue catalog and crawlers, the warehouse load job, the Athena workgroup and named queries. */
export class AnalyticsStack extends Stack {
  readonly runTargets!: AnalyticsRunTargets;
  readonly monitoringTargets!: AnalyticsMonitoringTargets;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
