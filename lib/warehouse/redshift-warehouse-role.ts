import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { glueCatalogArns } from '../shared/glue-catalog-arns';
import { acknowledgeWildcardResources } from '../shared/nag-acknowledgements';

export interface WarehouseDataRoleProps {
  readonly dataKey: kms.IKey;
  /** The processed zone: the only data the warehouse reads from S3. */
  readonly processed: s3.IBucket;
  /** Glue database Spectrum may read table definitions from. */
  readonly glueDatabaseName: string;
}

/**
 * The IAM role the warehouse assumes for COPY and Redshift Spectrum: read the
 * processed zone (and decrypt it) and read the pipeline's Glue catalog
 * entries. Nothing else: no write anywhere, no other bucket or database.
 */
export class WarehouseDataRole extends Construct {
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: WarehouseDataRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('redshift.amazonaws.com'),
        new iam.ServicePrincipal('redshift-serverless.amazonaws.com'),
      ).withConditions({ StringEquals: { 'aws:SourceAccount': stack.account } }),
      description: 'Warehouse COPY and Spectrum: read the processed zone and its Glue tables',
    });
    const catalog = glueCatalogArns(this, props.glueDatabaseName);
    const processedObjects = props.processed.arnForObjects('*');
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Warehouse COPY and Spectrum: read-only on the processed zone and its Glue tables',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ListProcessedZone',
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resources: [props.processed.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadProcessedZone',
          actions: ['s3:GetObject'],
          resources: [processedObjects],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptProcessedZone',
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: [props.dataKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadPipelineCatalog',
          actions: [
            'glue:GetDatabase',
            'glue:GetTable',
            'glue:GetTables',
            'glue:GetPartition',
            'glue:GetPartitions',
            'glue:BatchGetPartition',
          ],
          resources: [catalog.catalog, catalog.database, catalog.tables],
        }),
      ],
    });
    acknowledgeWildcardResources(this.policy, [
      {
        resource: processedObjects,
        reason:
          'COPY and Spectrum read the Parquet partitions and report folders of the processed zone, whose object names Spark picks at run time; read-only',
      },
      {
        resource: catalog.tables,
        reason:
          'Spectrum reads the table definitions the crawlers create in the pipeline Glue database; the tables appear as data arrives; read-only',
      },
    ]);
  }
}
