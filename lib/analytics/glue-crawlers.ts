import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { glueLogStatements } from './glue-security-configuration';
import { acknowledgeWildcardResources } from '../shared/nag-acknowledgements';
import { RAW_TRANSACTIONS_PREFIX } from '../shared/pipeline-layout';
import { accountServicePrincipal } from '../shared/account-service-principal';
import { glueCatalogArns } from '../shared/glue-catalog-arns';

/** One S3 folder a crawler reads (a key prefix ending with `/`). */
export interface CrawlerTarget {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  /**
   * Glob patterns, relative to the prefix, of objects the crawler must not catalog.
   * @default none
   */
  readonly exclusions?: string[];
}

export interface DataLakeCrawlerProps {
  readonly crawlerName: string;
  readonly description: string;
  readonly databaseName: string;
  readonly targets: CrawlerTarget[];
  readonly securityConfigurationName: string;
  readonly dataKey: kms.IKey;
  /**
   * Prefix of the table names (e.g. `raw_`, so the raw and processed `transactions` tables do not collide).
   * @default no prefix
   */
  readonly tablePrefix?: string;
  /**
   * Crawl only folders added since the last crawl (the raw zone only ever gets new hour folders).
   * Glue then requires the schema change policy to only log updates and deletes.
   * @default false (crawl everything; updates change the table)
   */
  readonly newFoldersOnly?: boolean;
  /**
   * A Glue cron expression on which Glue starts the crawler itself.
   * @default none (started by whoever needs it: the orchestration starts the processed crawler after each run)
   */
  readonly schedule?: string;
}

/**
 * A Glue crawler over some folders of the data lake, with its own role that
 * may read exactly those folders and maintain tables of the pipeline database.
 * Deleted objects are only logged (never drop a table or partition because a
 * folder is briefly empty). Started by the orchestration after a run, or by
 * Glue on the crawler's own schedule when it has one.
 */
export class DataLakeCrawler extends Construct {
  readonly crawler: glue.CfnCrawler;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: DataLakeCrawlerProps) {
    super(scope, id);
    for (const target of props.targets) {
      if (!target.prefix.endsWith('/') || target.prefix.startsWith('/')) {
        throw new Error(
          `crawler ${props.crawlerName}: target prefix '${target.prefix}' must be a folder like '${RAW_TRANSACTIONS_PREFIX}'`,
        );
      }
    }
    this.role = new iam.Role(this, 'Role', {
      assumedBy: accountServicePrincipal(this, 'glue.amazonaws.com'),
      description: `Glue crawler ${props.crawlerName}: read its folders, maintain the pipeline tables`,
    });

    const catalog = glueCatalogArns(this, props.databaseName);
    const objectPrefixes = props.targets.map((t) => t.bucket.arnForObjects(`${t.prefix}*`));
    const logs = glueLogStatements(this);
    const buckets = [...new Set(props.targets.map((t) => t.bucket))];
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Glue crawler ${props.crawlerName}`,
      roles: [this.role],
      statements: [
        ...buckets.map(
          (bucket, index) =>
            new iam.PolicyStatement({
              sid: `ListTargetFolders${index}`,
              actions: ['s3:ListBucket'],
              resources: [bucket.bucketArn],
              conditions: {
                StringLike: {
                  's3:prefix': props.targets
                    .filter((t) => t.bucket === bucket)
                    .flatMap((t) => [t.prefix, `${t.prefix}*`]),
                },
              },
            }),
        ),
        new iam.PolicyStatement({
          sid: 'ReadTargetFolders',
          actions: ['s3:GetObject'],
          resources: objectPrefixes,
        }),
        new iam.PolicyStatement({
          sid: 'DecryptData',
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: [props.dataKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'MaintainPipelineTables',
          actions: [
            'glue:GetDatabase',
            'glue:GetTable',
            'glue:GetTables',
            'glue:CreateTable',
            'glue:UpdateTable',
            'glue:GetPartition',
            'glue:GetPartitions',
            'glue:BatchGetPartition',
            'glue:CreatePartition',
            'glue:BatchCreatePartition',
            'glue:UpdatePartition',
            'glue:BatchUpdatePartition',
            'glue:CreatePartitionIndex',
          ],
          resources: [catalog.catalog, catalog.database, catalog.tables],
        }),
        ...logs.statements,
      ],
    });
    acknowledgeWildcardResources(this.policy, [
      ...objectPrefixes.map((resource) => ({
        resource,
        reason: `Crawler ${props.crawlerName} reads every file under its target folder to infer schemas and partitions; file names are chosen by the writers at run time; read-only`,
      })),
      {
        resource: catalog.tables,
        reason: `Crawler ${props.crawlerName} creates and updates the tables of the pipeline database only; table names follow the data folders, unknown before the first crawl`,
      },
      {
        resource: logs.logGroups,
        reason: `Glue names the crawler's encrypted log groups under /aws-glue/ after the role and security configuration at run time; only log writes are allowed`,
      },
    ]);

    this.crawler = new glue.CfnCrawler(this, 'Crawler', {
      name: props.crawlerName,
      description: props.description,
      role: this.role.roleArn,
      databaseName: props.databaseName,
      tablePrefix: props.tablePrefix,
      targets: {
        s3Targets: props.targets.map((t) => ({
          path: `s3://${t.bucket.bucketName}/${t.prefix}`,
          ...(t.exclusions !== undefined ? { exclusions: t.exclusions } : {}),
        })),
      },
      crawlerSecurityConfiguration: props.securityConfigurationName,
      ...(props.schedule !== undefined ? { schedule: { scheduleExpression: props.schedule } } : {}),
      // Glue accepts CRAWL_NEW_FOLDERS_ONLY only with schema updates and deletions both just logged.
      schemaChangePolicy: {
        updateBehavior: props.newFoldersOnly === true ? 'LOG' : 'UPDATE_IN_DATABASE',
        deleteBehavior: 'LOG',
      },
      recrawlPolicy: {
        recrawlBehavior: props.newFoldersOnly === true ? 'CRAWL_NEW_FOLDERS_ONLY' : 'CRAWL_EVERYTHING',
      },
      configuration: JSON.stringify({
        Version: 1.0,
        // New partitions take the table's schema, so one odd file cannot fork the schema per partition.
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
        CreatePartitionIndex: true,
      }),
    });
    // The crawler must not start (CloudFormation validates the role) before its permissions exist.
    this.crawler.node.addDependency(this.policy);
  }
}
