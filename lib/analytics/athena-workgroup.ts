import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Folder of the Athena results bucket query results go to. */
export const ATHENA_RESULTS_PREFIX = 'results/';
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

/** One report query: `sql/athena/<report>.sql`. */
export interface ReportQuery {
  /** The report name (file name without `.sql`). */
  readonly name: string;
  readonly sql: string;
  /** The first comment line of the file, as the query's description. */
  readonly description: string;
}

/**
 * Reads the report queries `sql/athena/<report>.sql`, sorted by name. Each
 * file holds one SELECT; the file name is the report's name (docs/data-layout.md).
 */
export function readReportQueries(directory: string): ReportQuery[] {
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new Error(
      `Athena query folder ${directory} not found: the named queries are read from sql/athena/<report>.sql`,
    );
  }
  const files = fs
    .readdirSync(directory)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  if (files.length === 0) {
    throw new Error(`${directory} has no .sql files: add one query per report (sql/athena/<report>.sql)`);
  }
  return files.map((file) => {
    const name = file.slice(0, -'.sql'.length);
    if (!/^[a-z][a-z0-9_]{0,127}$/.test(name)) {
      throw new Error(
        `${path.join(directory, file)}: name report queries <report>.sql in lower-case snake case (the report's folder name)`,
      );
    }
    const sql = fs.readFileSync(path.join(directory, file), 'utf8').trim();
    if (sql === '')
      throw new Error(`${path.join(directory, file)} is empty; write the report's SELECT or delete the file`);
    const firstComment = sql.split('\n').find((line) => line.trim().startsWith('--'));
    const description = (firstComment?.replace(/^\s*--\s*/, '') ?? `Report ${name}`).slice(0, 1024);
    return { name, sql, description };
  });
}

export interface ReportingWorkgroupProps {
  readonly workgroupName: string;
  readonly databaseName: string;
  readonly resultsBucket: s3.IBucket;
  readonly dataKey: kms.IKey;
  readonly bytesScannedCutoffPerQuery: number;
  readonly queries: ReportQuery[];
}

/**
 * The Athena workgroup of the reports: engine v3, settings enforced (clients
 * cannot turn off result encryption or pick another output location),
 * results SSE-KMS encrypted in the results bucket, a per-query scan cutoff,
 * CloudWatch metrics. One named query per report file.
 */
export class ReportingWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly namedQueries: athena.CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: ReportingWorkgroupProps) {
    super(scope, id);
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workgroupName,
      description: 'Bank pipeline reports over the Glue catalog',
      state: 'ENABLED',
      // Lets CloudFormation delete the workgroup with its query history when the stack goes.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.dataKey.keyArn },
          // Results never land in a same-named bucket of another account.
          expectedBucketOwner: Stack.of(this).account,
        },
      },
    });

    this.namedQueries = props.queries.map(
      (query) =>
        new athena.CfnNamedQuery(this, `Query-${query.name}`, {
          name: query.name,
          description: query.description,
          database: props.databaseName,
          workGroup: this.workgroup.ref,
          queryString: query.sql,
        }),
    );
  }
}
