import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { materializedViewsIn } from './orchestration-report-views';
import { RunStateMachine } from './orchestration-run-state-machine';
import { RunTrigger } from './orchestration-run-trigger';
import {
  explainUnreservedConcurrency,
  RUN_RESERVED_CONCURRENCY,
  runReservedConcurrency,
} from './orchestration-concurrency';
import { RUN_SERVICES } from './orchestration-services';
import { SERVICE_SUBNETS } from '../shared/emr-glue-redshift-lambda';
import { WarehouseSchema } from '../warehouse/redshift-schema';
import { readWarehouseSqlFiles, splitSchemaAndReportFiles } from '../warehouse/redshift-sql-files';
import { DATABASE_ROLES_TAG_REASON, REPORTS_DB_USER, reportsLogin } from '../warehouse/warehouse-identities';
import { acknowledgeWildcardResource } from '../shared/nag-acknowledgements';
import { PipelineFunction, type PipelineFunctionProps } from '../shared/pipeline-function';
import type { OrchestrationStackProps } from './orchestration-stack-props';
import { PipelineStack } from '../shared/pipeline-stack';
import { REPO_ROOT } from '../shared/repo-root';
import { MANIFEST_FOLDER, RAW_TRANSACTIONS_PREFIX } from '../shared/pipeline-layout';
import { requireCurrentReportOutputs } from '../shared/report-outputs';
import type { OrchestrationMonitoringTargets } from './orchestration-monitoring-targets';

export type { OrchestrationStackProps } from './orchestration-stack-props';
export { RUN_SERVICES } from './orchestration-services';

/**
 * The run: raw data arrived -> EMR step -> crawler -> Glue load -> Redshift refresh, carried by Step Functions.
 *
 * - RunTrigger: `start-run` (schedule + run-finished rule), DynamoDB runs ledger, DLQ.
 * - RunStateMachine: the run itself (states in RUN_STATES).
 * - Task functions called by the state machine: `reconcile-run`, `crawler-status`,
 *   `refresh-reports`. They are invoked synchronously, so they have no DLQ; the
 *   state machine's Catch reports their failures.
 */
export class OrchestrationStack extends PipelineStack {
  readonly monitoringTargets: OrchestrationMonitoringTargets;
  readonly run: RunStateMachine;
  readonly trigger: RunTrigger;

  constructor(scope: Construct, id: string, props: OrchestrationStackProps) {
    super(scope, id, props);
    const { config, dataKey, buckets, analytics, warehouse } = props;

    const taskFunction = (
      name: string,
      description: string,
      extra: Pick<PipelineFunctionProps, 'environment' | 'timeout'>,
    ): PipelineFunction => {
      const fn = new PipelineFunction(this, toPascalCase(name), {
        entry: `lambda/${name}/handler.ts`,
        description,
        serviceName: name,
        config,
        dataKey,
        vpc: props.vpc,
        securityGroup: props.securityGroups.lambda,
        deadLetterQueue: false,
        // A cap where the stage reserves concurrency: it stops a runaway loop from eating the account's concurrency.
        reservedConcurrentExecutions: runReservedConcurrency(config, RUN_RESERVED_CONCURRENCY.runTask),
        ...extra,
      });
      explainUnreservedConcurrency(fn, config);
      return fn;
    };

    const reconcile = taskFunction(
      'reconcile-run',
      'Fails the run when its manifest counts do not reconcile with each other and with the raw lines',
      {
        // Streams one hour of raw objects to count their lines (docs/data-layout.md).
        timeout: Duration.minutes(10),
        environment: { PROCESSED_BUCKET: buckets.processed.bucketName, RAW_BUCKET: buckets.raw.bucketName },
      },
    );
    reconcile.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CountRawLines',
        actions: ['s3:GetObject'],
        resources: [buckets.raw.arnForObjects(`${RAW_TRANSACTIONS_PREFIX}*`)],
      }),
    );
    reconcile.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRawHourObjects',
        actions: ['s3:ListBucket'],
        resources: [buckets.raw.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RAW_TRANSACTIONS_PREFIX}*`] } },
      }),
    );
    acknowledgeWildcardResource(
      reconcile.role.permissionsPolicy,
      buckets.raw.arnForObjects(`${RAW_TRANSACTIONS_PREFIX}*`),
      "reconcile-run role: reads the raw objects of the run's hour to count their lines; the hour is only known at run time, so the read-only grant covers the raw transactions prefix and nothing else of the raw bucket",
    );
    reconcile.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadRunManifests',
        actions: ['s3:GetObject'],
        resources: [buckets.processed.arnForObjects(`${MANIFEST_FOLDER}*.json`)],
      }),
    );
    // Without s3:ListBucket a missing manifest reads as AccessDenied, not NoSuchKey; allow it for the manifest folder only.
    reconcile.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SeeMissingManifests',
        actions: ['s3:ListBucket'],
        resources: [buckets.processed.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${MANIFEST_FOLDER}*`] } },
      }),
    );

    acknowledgeWildcardResource(
      reconcile.role.permissionsPolicy,
      buckets.processed.arnForObjects(`${MANIFEST_FOLDER}*.json`),
      'reconcile-run role: reads one manifest per run (_manifest/<run-id>.json); run ids are only known at run time, so the read-only grant covers the manifest folder and nothing else of the processed bucket',
    );

    const crawlerStatus = taskFunction(
      'crawler-status',
      'One poll of the processed-zone Glue crawler for the run',
      {
        environment: { CRAWLER_NAME: analytics.processedCrawlerName, MAX_POLLS: '60' },
      },
    );
    crawlerStatus.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadProcessedCrawler',
        actions: ['glue:GetCrawler'],
        resources: [
          this.formatArn({
            service: 'glue',
            resource: 'crawler',
            resourceName: analytics.processedCrawlerName,
          }),
        ],
      }),
    );

    // The report views are built from sql/reports (make reports).
    requireCurrentReportOutputs();
    const warehouseSqlDir = path.resolve(REPO_ROOT, props.warehouseSqlDir ?? 'sql/redshift');
    const reportViews = props.reportViews ?? materializedViewsIn(warehouseSqlDir);
    const refresh = taskFunction(
      'refresh-reports',
      'Refreshes the reporting materialized views after the load',
      {
        timeout: Duration.minutes(5),
        environment: {
          WAREHOUSE_KIND: warehouse.kind,
          WAREHOUSE_DATABASE: warehouse.databaseName,
          ...(warehouse.workgroupName !== undefined ? { WAREHOUSE_WORKGROUP: warehouse.workgroupName } : {}),
          ...(warehouse.clusterIdentifier !== undefined
            ? { WAREHOUSE_CLUSTER: warehouse.clusterIdentifier, WAREHOUSE_DB_USER: REPORTS_DB_USER }
            : {}),
          REPORT_VIEWS: reportViews.join(','),
        },
      },
    );
    refresh.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunRefreshStatements',
        actions: ['redshift-data:ExecuteStatement'],
        resources: [warehouse.dataApiResourceArn],
      }),
    );
    refresh.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FollowOwnStatements',
        actions: ['redshift-data:DescribeStatement'],
        resources: ['*'],
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    );
    // No secret: the refresh signs in as its own role, the reports identity that owns the report
    // views (Redshift lets only a materialized view's owner refresh it), and creates them at deploy.
    const reportsIdentity = reportsLogin(refresh.role, warehouse);
    for (const statement of reportsIdentity.statements) refresh.role.addToPrincipalPolicy(statement);
    const reportFiles = splitSchemaAndReportFiles(readWarehouseSqlFiles(warehouseSqlDir)).reports;
    if (reportFiles.length > 0) {
      new WarehouseSchema(this, 'WarehouseReports', {
        config,
        dataKey,
        vpc: props.vpc,
        subnets: SERVICE_SUBNETS,
        securityGroup: props.securityGroups.lambda,
        purpose: 'warehouse report views (sql/redshift report files, as the reports identity)',
        warehouseArn: warehouse.dataApiResourceArn,
        login: {
          databaseName: warehouse.databaseName,
          workgroupName: warehouse.workgroupName,
          clusterIdentifier: warehouse.clusterIdentifier,
          dbUser: reportsIdentity.dbUser,
        },
        loginStatements: [],
        sqlFiles: reportFiles,
        role: refresh.role,
        resourceType: 'Custom::WarehouseReports',
      });
    }

    for (const fn of [reconcile, refresh]) {
      // Manifests and the warehouse secret are encrypted with the pipeline key.
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptWithPipelineKey',
          actions: ['kms:Decrypt'],
          resources: [dataKey.keyArn],
        }),
      );
    }
    acknowledgeWildcardResource(
      refresh.role.permissionsPolicy,
      '*',
      'refresh-reports role: redshift-data:DescribeStatement has no resource type (statement ids are created at run time); ' +
        'the redshift-data:statement-owner-iam-userid condition limits it to statements this role submitted' +
        (warehouse.kind === 'serverless' ? `; ${DATABASE_ROLES_TAG_REASON}` : ''),
    );

    this.run = new RunStateMachine(this, 'Run', {
      config,
      dataKey,
      alertsTopic: props.alertsTopic,
      emr: props.emr,
      rawBucket: buckets.raw,
      processedBucket: buckets.processed,
      quarantineBucket: buckets.quarantine,
      processedCrawlerName: analytics.processedCrawlerName,
      loadJobName: analytics.loadJobName,
      reconcileFunction: reconcile.function,
      crawlerStatusFunction: crawlerStatus.function,
      refreshReportsFunction: refresh.function,
      timeouts: props.runTimeouts,
    });

    this.trigger = new RunTrigger(this, 'Trigger', {
      config,
      dataKey,
      vpc: props.vpc,
      securityGroup: props.securityGroups.lambda,
      rawBucket: buckets.raw,
      stateMachine: this.run.stateMachine,
      lookbackHours: props.lookbackHours,
      closeDelayMinutes: props.closeDelayMinutes,
    });

    const named = [
      { name: RUN_SERVICES.startRun, fn: this.trigger.function },
      { name: RUN_SERVICES.reconcile, fn: reconcile },
      { name: RUN_SERVICES.crawlerStatus, fn: crawlerStatus },
      { name: RUN_SERVICES.refreshReports, fn: refresh },
    ];
    const namedDeadLetterQueues = named.flatMap(({ name, fn }) =>
      fn.deadLetterQueue !== undefined ? [{ name, queue: fn.deadLetterQueue }] : [],
    );
    this.monitoringTargets = {
      stateMachine: this.run.stateMachine,
      functions: named.map(({ fn }) => fn.function),
      deadLetterQueues: namedDeadLetterQueues.map(({ queue }) => queue),
      namedFunctions: named.map(({ name, fn }) => ({ name, fn: fn.function })),
      namedDeadLetterQueues,
    };
  }
}

function toPascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
