import { ArnFormat, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { WarehouseKind } from '../config';
import { REDSHIFT_DB_ROLES_TAG } from '../analytics/glue-load-job';

/**
 * Who signs in to the warehouse, one database identity per job (docs/adr/0002-warehouse-identities.md).
 * The load job's names live beside it (lib/analytics/glue-load-job.ts); sql/redshift grants these.
 *
 * The reports identity owns the report views and refreshes them: Redshift lets only a
 * materialized view's owner run REFRESH MATERIALIZED VIEW (Database Developer Guide, REFRESH
 * MATERIALIZED VIEW), and grants no refresh privilege to anyone else, so the identity that
 * refreshes is the one that creates the views.
 * - provisioned: the Data API gets temporary credentials for REPORTS_DB_USER and joins it to
 *   REPORTS_DB_GROUP (the caller role's RedshiftDbGroups tag);
 * - serverless: the Data API signs in as `IAMR:<role name>` of the caller, which Redshift
 *   Serverless gives the database roles named in the role's RedshiftDbRoles tag (REPORTS_DB_ROLE).
 */
export const REPORTS_DB_USER = 'bank_reports_job';
export const REPORTS_DB_GROUP = 'bank_reports';
export const REPORTS_DB_ROLE = 'bank_reports_role';
/** Tag with the database groups a Data API caller's database user joins (provisioned clusters only). */
export const REDSHIFT_DB_GROUPS_TAG = 'RedshiftDbGroups';

/** Where the Data API runs statements: what a login is scoped to. */
export interface WarehouseLoginTarget {
  readonly kind: WarehouseKind;
  readonly databaseName: string;
  /** Workgroup or cluster ARN. */
  readonly dataApiResourceArn: string;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
}

/** ARN of a provisioned cluster's database user, database or group (GetClusterCredentials resources). */
export function clusterDbArn(
  stack: Stack,
  clusterIdentifier: string,
  resource: 'dbuser' | 'dbname' | 'dbgroup',
  name: string,
): string {
  return stack.formatArn({
    service: 'redshift',
    resource,
    resourceName: `${clusterIdentifier}/${name}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

function requireName(value: string | undefined, what: string, kind: WarehouseKind): string {
  if (value === undefined || value === '') {
    throw new Error(`A ${kind} warehouse login needs its ${what}; set it in the warehouse connection`);
  }
  return value;
}

/**
 * The IAM statements that let a role sign in through the Data API with temporary credentials,
 * scoped to this warehouse, its database and `dbUser` (provisioned) (Management Guide: "Authorizing
 * access to the Amazon Redshift Data API"; "Resource policies for GetClusterCredentials").
 * Serverless: GetCredentials on the workgroup; the tag API reads that tell Redshift Serverless
 * the caller's RedshiftDbRoles tag have no resource-level permissions.
 */
export function dataApiLoginStatements(
  stack: Stack,
  target: WarehouseLoginTarget,
  login: { dbUser?: string; dbGroups?: readonly string[] },
): iam.PolicyStatement[] {
  if (target.kind === 'serverless') {
    requireName(target.workgroupName, 'workgroupName', target.kind);
    return [
      new iam.PolicyStatement({
        sid: 'GetWarehouseCredentials',
        actions: ['redshift-serverless:GetCredentials'],
        resources: [target.dataApiResourceArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadOwnDatabaseRolesTag',
        actions: ['tag:GetResources', 'tag:GetTagKeys'],
        resources: ['*'],
      }),
    ];
  }
  const cluster = requireName(target.clusterIdentifier, 'clusterIdentifier', target.kind);
  const dbUser = requireName(login.dbUser, 'database user', target.kind);
  const statements = [
    new iam.PolicyStatement({
      sid: 'GetWarehouseCredentials',
      actions: ['redshift:GetClusterCredentials'],
      resources: [
        clusterDbArn(stack, cluster, 'dbuser', dbUser),
        clusterDbArn(stack, cluster, 'dbname', target.databaseName),
      ],
    }),
  ];
  if (login.dbGroups !== undefined && login.dbGroups.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'JoinOwnDatabaseGroups',
        actions: ['redshift:JoinGroup'],
        resources: login.dbGroups.map((group) => clusterDbArn(stack, cluster, 'dbgroup', group)),
      }),
    );
  }
  return statements;
}

/** Why a serverless login's policy holds `tag:GetResources`/`tag:GetTagKeys` on "*". */
export const DATABASE_ROLES_TAG_REASON =
  'tag:GetResources and tag:GetTagKeys have no resource-level permissions; Redshift Serverless requires them of a Data API caller whose database roles come from its RedshiftDbRoles tag';

/**
 * Makes `role` the reports identity: the tag that gives its database login the reports grants
 * (RedshiftDbRoles on serverless, RedshiftDbGroups on provisioned) and the Data API login
 * statements. Returns the statements, so the caller can put them in the role's policy.
 */
export function reportsLogin(
  role: iam.IRole,
  target: WarehouseLoginTarget,
): { statements: iam.PolicyStatement[]; dbUser?: string } {
  if (target.kind === 'serverless') {
    Tags.of(role).add(REDSHIFT_DB_ROLES_TAG, REPORTS_DB_ROLE);
    return { statements: dataApiLoginStatements(Stack.of(role), target, {}) };
  }
  Tags.of(role).add(REDSHIFT_DB_GROUPS_TAG, REPORTS_DB_GROUP);
  return {
    statements: dataApiLoginStatements(Stack.of(role), target, {
      dbUser: REPORTS_DB_USER,
      dbGroups: [REPORTS_DB_GROUP],
    }),
    dbUser: REPORTS_DB_USER,
  };
}
