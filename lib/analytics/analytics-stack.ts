import * as path from 'node:path';
import * as glue from 'aws-cdk-lib/aws-glue';
import type { Construct } from 'constructs';
import { ReportingWorkgroup, readReportQueries } from './athena-workgroup';
import { SERVICE_SUBNETS } from '../shared/emr-glue-redshift-lambda';
import { SparkJobAssets } from '../processing/emr-spark-job-assets';
import { BANKPIPE_PACKAGE, BANKPIPE_ZIP } from '../processing/emr-spark-job-bundle';
import { findRedshiftJdbcDriver, REDSHIFT_JDBC_JAR_DIR } from './redshift-jdbc-driver';
import { REPO_ROOT } from '../shared/repo-root';
import { requireCurrentReportOutputs } from '../shared/report-outputs';
import { DataLakeCrawler } from './glue-crawlers';
import {
  PROCESSED_REPORTS_PREFIX,
  PROCESSED_TRANSACTIONS_PREFIX,
  RAW_TRANSACTIONS_PREFIX,
  SINK_WATERMARK_FOLDER,
} from '../shared/pipeline-layout';
import { WarehouseLoadJob } from './glue-load-job';
import { glueDatabaseName, resourcePrefix } from './glue-names';
import { GlueSecurityConfiguration } from './glue-security-configuration';
import type { AnalyticsStackProps } from './analytics-stack-props';
import { PipelineStack } from '../shared/pipeline-stack';
import type { AnalyticsMonitoringTargets } from './analytics-monitoring-targets';

export type { AnalyticsStackProps } from './analytics-stack-props';

/** Names the orchestration starts and waits for. */
export interface AnalyticsRunTargets {
  readonly glueDatabaseName: string;
  readonly rawCrawlerName: string;
  readonly processedCrawlerName: string;
  readonly loadJobName: string;
  readonly athenaWorkgroupName: string;
}

/** Key prefix of the load job bundle in the artifacts bucket. */
export const LOAD_JOB_PREFIX = 'spark-jobs/glue-load/';
export const LOAD_JOB_SCRIPT = 'glue_load_warehouse.py';
export const JDBC_DRIVER_JAR = 'redshift-jdbc42.jar';

/** Glue catalog and crawlers, the warehouse load job, the Athena workgroup and named queries. */
export class AnalyticsStack extends PipelineStack {
  readonly runTargets: AnalyticsRunTargets;
  readonly monitoringTargets: AnalyticsMonitoringTargets;
  readonly database: glue.CfnDatabase;
  readonly securityConfiguration: GlueSecurityConfiguration;
  readonly rawCrawler: DataLakeCrawler;
  readonly processedCrawler: DataLakeCrawler;
  readonly loadJob: WarehouseLoadJob;
  readonly reporting: ReportingWorkgroup;
  readonly jobAssets: SparkJobAssets;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { config, buckets, dataKey, vpc, securityGroups, warehouse } = props;
    const prefix = resourcePrefix(config);
    const databaseName = glueDatabaseName(config);
    // The named queries and the load job's report catalog are built from sql/reports (make reports).
    requireCurrentReportOutputs();
    const reports = readReportQueries(
      path.resolve(REPO_ROOT, props.athenaSqlDir ?? path.join('sql', 'athena')),
    );

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.account,
      databaseInput: {
        name: databaseName,
        description:
          'Bank transaction pipeline: raw_ tables (raw zone), transactions and report tables (processed zone)',
      },
    });
    this.securityConfiguration = new GlueSecurityConfiguration(this, 'SecurityConfiguration', {
      namePrefix: prefix,
      dataKey,
    });

    const crawlerCommon = {
      databaseName,
      securityConfigurationName: this.securityConfiguration.name,
      dataKey,
    };
    this.rawCrawler = new DataLakeCrawler(this, 'RawCrawler', {
      ...crawlerCommon,
      crawlerName: `${prefix}-raw`,
      description: 'Raw zone: hourly JSON-lines transaction files from the S3 sink (tables prefixed raw_)',
      // The S3 sink's watermark objects sit beside the hour folders; they are not transactions.
      targets: [
        { bucket: buckets.raw, prefix: RAW_TRANSACTIONS_PREFIX, exclusions: [`${SINK_WATERMARK_FOLDER}**`] },
      ],
      tablePrefix: 'raw_',
      newFoldersOnly: true,
    });
    this.processedCrawler = new DataLakeCrawler(this, 'ProcessedCrawler', {
      ...crawlerCommon,
      crawlerName: `${prefix}-processed`,
      description: 'Processed zone: the clean transactions and one table per report',
      // Incremental and on a slower schedule where the stage trades catalog freshness for cost (analytics.crawl*).
      newFoldersOnly: config.analytics.crawlNewFoldersOnly,
      schedule: config.analytics.crawlerSchedule,
      targets: [
        { bucket: buckets.processed, prefix: PROCESSED_TRANSACTIONS_PREFIX },
        ...reports.map((r) => ({
          bucket: buckets.processed,
          prefix: `${PROCESSED_REPORTS_PREFIX}${r.name}/`,
        })),
      ],
    });
    for (const crawler of [this.rawCrawler, this.processedCrawler]) {
      crawler.crawler.node.addDependency(this.database, this.securityConfiguration);
    }

    const sparkJobsDir = path.resolve(REPO_ROOT, props.sparkJobsDir ?? 'spark-jobs');
    this.jobAssets = new SparkJobAssets(this, 'LoadJobAssets', {
      config,
      bundle: {
        files: {
          [LOAD_JOB_SCRIPT]: path.join(sparkJobsDir, LOAD_JOB_SCRIPT),
          [JDBC_DRIVER_JAR]: props.jdbcDriverPath ?? findRedshiftJdbcDriver(REDSHIFT_JDBC_JAR_DIR),
        },
        packageDir: path.join(sparkJobsDir, BANKPIPE_PACKAGE),
        contractSchemaPath: path.resolve(
          REPO_ROOT,
          props.contractSchemaPath ?? 'contracts/transaction.schema.json',
        ),
      },
      bucket: buckets.artifacts,
      keyPrefix: LOAD_JOB_PREFIX,
      dataKey,
      vpc,
      subnets: SERVICE_SUBNETS,
      securityGroup: securityGroups.lambda,
    });

    const connectionSubnet = vpc.selectSubnets(SERVICE_SUBNETS).subnets[0];
    if (connectionSubnet === undefined) {
      throw new Error(
        `AnalyticsStack: the VPC has no '${SERVICE_SUBNETS.subnetGroupName}' subnet for the Glue connection`,
      );
    }
    this.loadJob = new WarehouseLoadJob(this, 'LoadJob', {
      config,
      jobName: `${prefix}-load-warehouse`,
      connectionName: `${prefix}-warehouse-network`,
      dataKey,
      processed: buckets.processed,
      artifacts: buckets.artifacts,
      scriptUri: this.jobAssets.s3Uri(LOAD_JOB_SCRIPT),
      pyFilesUri: this.jobAssets.s3Uri(BANKPIPE_ZIP),
      jdbcDriverUri: this.jobAssets.s3Uri(JDBC_DRIVER_JAR),
      jobFileArns: this.jobAssets.fileNames.map((f) => this.jobAssets.objectArn(f)),
      securityConfigurationName: this.securityConfiguration.name,
      warehouse: {
        kind: warehouse.kind,
        databaseName: warehouse.databaseName,
        workgroupName: warehouse.workgroupName,
        workgroupArn: warehouse.kind === 'serverless' ? warehouse.dataApiResourceArn : undefined,
        clusterIdentifier: warehouse.clusterIdentifier,
        jdbcUrl: warehouse.jdbcUrl,
      },
      subnet: connectionSubnet,
      securityGroup: securityGroups.glue,
    });
    this.loadJob.job.node.addDependency(this.securityConfiguration, this.jobAssets.deployment);

    this.reporting = new ReportingWorkgroup(this, 'Reporting', {
      workgroupName: prefix,
      databaseName,
      resultsBucket: buckets.athenaResults,
      dataKey,
      bytesScannedCutoffPerQuery: config.analytics.athenaBytesScannedCutoff,
      queries: reports,
    });
    for (const query of this.reporting.namedQueries) query.node.addDependency(this.database);

    this.runTargets = {
      glueDatabaseName: databaseName,
      rawCrawlerName: this.rawCrawler.crawler.ref,
      processedCrawlerName: this.processedCrawler.crawler.ref,
      loadJobName: this.loadJob.job.ref,
      athenaWorkgroupName: this.reporting.workgroup.ref,
    };
    this.monitoringTargets = {
      crawlerNames: [this.runTargets.rawCrawlerName, this.runTargets.processedCrawlerName],
      loadJobName: this.runTargets.loadJobName,
      athenaWorkgroupName: this.runTargets.athenaWorkgroupName,
    };
  }
}
