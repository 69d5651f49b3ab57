import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  isReportFile,
  readWarehouseSqlFiles,
  splitSchemaAndReportFiles,
  splitStatements,
  sqlFilesHash,
} from '../../../lib/warehouse/redshift-sql-files';
import {
  actionsOf,
  crossStackReference,
  allowStatements,
  resourceOf,
  statementsOfPolicy,
  statementWithSid,
  wildcardActions,
} from '../../helpers/data-services-assertions';
import {
  globalAcknowledgements,
  globalNagFindings,
  provisionedWarehouseOverrides,
  stageConfig,
  synthDataServices,
  type Acknowledgement,
  type DataServicesSynth,
} from '../../helpers/synth-data-services';
import { loadTemplate, TEST_STAGES } from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

const SQL_DIR = path.join(REPO_ROOT, 'sql', 'redshift');
const AUDIT_LOGS = ['connectionlog', 'userlog', 'useractivitylog'];

function tempSqlDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('warehouse SQL files', () => {
  it('splits on ; at the end of a line, drops comment lines, keeps ; inside a line', () => {
    const text = [
      '-- header comment',
      'CREATE SCHEMA IF NOT EXISTS banking;',
      '',
      "CREATE VIEW banking.v AS SELECT 'a;b' AS x -- trailing note",
      'FROM banking.t;',
      '-- only a comment;',
    ].join('\n');
    expect(splitStatements(text, 'x.sql')).toEqual([
      'CREATE SCHEMA IF NOT EXISTS banking',
      "CREATE VIEW banking.v AS SELECT 'a;b' AS x -- trailing note\nFROM banking.t",
    ]);
  });

  it('refuses a last statement without its ;', () => {
    expect(() => splitStatements('CREATE SCHEMA banking', '001_schema.sql')).toThrow(
      /001_schema\.sql: the last statement does not end with ';'/,
    );
  });

  it('reads the files in NNN order and keeps .redshift-only and .if-absent files', () => {
    const dir = tempSqlDir({
      '020_b.sql': 'SELECT 2;',
      '001_a.sql': 'SELECT 1;',
      '002_groups.if-absent.sql': 'CREATE GROUP g;',
      '010_c.redshift-only.sql': 'ALTER TABLE t ALTER DISTSTYLE EVEN;',
    });
    expect(readWarehouseSqlFiles(dir).map((f) => f.name)).toEqual([
      '001_a.sql',
      '002_groups.if-absent.sql',
      '010_c.redshift-only.sql',
      '020_b.sql',
    ]);
  });

  it.each([
    [{ '1_bad.sql': 'SELECT 1;' }, /must look like NNN_name\.sql/],
    [
      { '001_a.sql': 'SELECT 1;', '001_b.sql': 'SELECT 2;' },
      /001_b\.sql and 001_a\.sql share the number 001/,
    ],
    [{ '001_a.sql': '-- nothing here\n' }, /001_a\.sql: no SQL statement found/],
    [
      { '002_g.if-absent.sql': 'CREATE GROUP g;\nCREATE TABLE t (id INT);' },
      /002_g\.if-absent\.sql: an \.if-absent\.sql file holds only 'CREATE GROUP name' statements/,
    ],
    [{}, /has no \.sql files/],
  ])('rejects a bad SQL folder with a message naming the problem (%#)', (files, message) => {
    expect(() => readWarehouseSqlFiles(tempSqlDir(files))).toThrow(message);
  });

  it('hashes the statements, so editing a statement changes the hash and editing a comment does not', () => {
    const base = readWarehouseSqlFiles(tempSqlDir({ '001_a.sql': '-- v1\nSELECT 1;' }));
    const commentEdited = readWarehouseSqlFiles(tempSqlDir({ '001_a.sql': '-- v2, reworded\nSELECT 1;' }));
    const statementEdited = readWarehouseSqlFiles(tempSqlDir({ '001_a.sql': '-- v1\nSELECT 2;' }));
    expect(sqlFilesHash(commentEdited)).toBe(sqlFilesHash(base));
    expect(sqlFilesHash(statementEdited)).not.toBe(sqlFilesHash(base));
  });
});

function expectSpecificAcknowledgements(acks: Acknowledgement[]): void {
  for (const ack of acks) {
    expect(ack.path.split('/').filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(ack.reason.length).toBeGreaterThanOrEqual(40);
  }
}

function customResource(template: Template): Record<string, unknown> {
  return resourceOf(template, 'Custom::WarehouseSchema').resource.Properties;
}

/** Every IAM action in the template's policies and roles, for "nobody may ..." assertions. */
function everyAction(template: Template): string[] {
  return allowStatements(template).flatMap(actionsOf);
}

/** The deploy-time value of the Redshift-managed admin secret's ARN (its lookup's response field). */
function adminSecretArnOf(template: Template): unknown {
  const { logicalId } = resourceOf(template, 'Custom::RedshiftAdminSecretArn');
  return { 'Fn::GetAtt': [logicalId, 'namespace.adminPasswordSecretArn'] };
}

describe.each(TEST_STAGES)('WarehouseStack, serverless (%s, global synth)', (stage) => {
  const config = stageConfig(stage);
  const name = `${stage}-bankpipe`;
  let template: Template;
  beforeAll(() => {
    template = loadTemplate(stage, 'warehouse');
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(globalNagFindings(stage, 'warehouse')).toEqual([]);
    expectSpecificAcknowledgements(globalAcknowledgements(stage, 'warehouse'));
  });

  it('creates a namespace encrypted with the pipeline key, exporting the three audit logs', () => {
    template.resourceCountIs('AWS::Redshift::Cluster', 0);
    template.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
      NamespaceName: name,
      DbName: config.warehouse.databaseName,
      KmsKeyId: crossStackReference(/DataKey/),
      LogExports: AUDIT_LOGS,
      AdminUsername: 'bank_admin',
    });
  });

  it('lets Redshift manage and rotate the admin password, encrypted with the pipeline key; the app generates none', () => {
    const namespace = resourceOf(template, 'AWS::RedshiftServerless::Namespace').resource;
    expect(namespace.Properties.ManageAdminPassword).toBe(true);
    expect(namespace.Properties.AdminUserPassword).toBeUndefined();
    expect(namespace.Properties.AdminPasswordSecretKmsKeyId).toEqual(namespace.Properties.KmsKeyId);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('reads the managed admin secret ARN at deploy time with GetNamespace on this namespace only', () => {
    const { resource: lookup } = resourceOf(template, 'Custom::RedshiftAdminSecretArn');
    expect(lookup.Properties.Create).toContain('"action":"getNamespace"');
    const statements = statementsOfPolicy(template, 'ServerlessAdminSecretLookupRole');
    const { logicalId: namespaceId } = resourceOf(template, 'AWS::RedshiftServerless::Namespace');
    expect(statementWithSid(statements, 'ReadOwnNamespace')).toMatchObject({
      Action: 'redshift-serverless:GetNamespace',
      Resource: { 'Fn::GetAtt': [namespaceId, 'Namespace.NamespaceArn'] },
    });
  });

  it('runs the workgroup private, with enhanced VPC routing and TLS, in the isolated warehouse subnets and the redshift security group', () => {
    template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      WorkgroupName: name,
      NamespaceName: name,
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      BaseCapacity: config.warehouse.baseCapacityRpu,
      Port: 5439,
      SecurityGroupIds: [crossStackReference(/Redshift/)],
      ConfigParameters: Match.arrayWith([
        { ParameterKey: 'require_ssl', ParameterValue: 'true' },
        { ParameterKey: 'enable_user_activity_logging', ParameterValue: 'true' },
      ]),
    });
    const subnets = resourceOf(template, 'AWS::RedshiftServerless::Workgroup').resource.Properties
      .SubnetIds as unknown[];
    expect(subnets).toHaveLength(config.network.maxAzs);
    for (const subnet of subnets) expect(JSON.stringify(subnet)).toMatch(/warehouseSubnet/);
  });

  it('pre-creates the audit log groups, KMS-encrypted, kept a year', () => {
    for (const log of AUDIT_LOGS) {
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          LogGroupName: `/aws/redshift/${name}/${log}`,
          KmsKeyId: Match.anyValue(),
          RetentionInDays: 365,
        },
        DeletionPolicy: 'Retain',
      });
    }
  });

  it('keeps the namespace when the stack is deleted', () => {
    expect(resourceOf(template, 'AWS::RedshiftServerless::Namespace').resource.DeletionPolicy).toBe('Retain');
  });

  it('applies every sql/redshift file but the report files, in order, as the admin, with a hash of the SQL', () => {
    const properties = customResource(template);
    const { schema: files, reports } = splitSchemaAndReportFiles(readWarehouseSqlFiles(SQL_DIR));
    const names = fs
      .readdirSync(SQL_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .filter((f) => !reports.some((r) => r.name === f));
    expect(reports.length).toBeGreaterThan(0);
    expect((properties.SqlFiles as { Name: string }[]).map((f) => f.Name)).toEqual(names);
    expect(properties.SqlFiles).toEqual(files.map((f) => ({ Name: f.name, Statements: f.statements })));
    expect(properties.SqlHash).toBe(sqlFilesHash(files));
    // Serverless has no IAM login as a superuser: the Redshift-managed admin secret, read at deploy.
    expect(properties.Target).toEqual({
      Database: config.warehouse.databaseName,
      WorkgroupName: name,
      SecretArn: adminSecretArnOf(template),
    });
  });

  it('lets only the schema handler read the admin secret, and only that secret', () => {
    const statements = statementsOfPolicy(template, 'SchemaHandlerRolePolicy');
    expect(statementWithSid(statements, 'ReadAdminSecret')).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: adminSecretArnOf(template),
    });
    const readers = allowStatements(template).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(readers).toHaveLength(1);
  });

  it('runs the schema handler on Node.js 24 arm64 in the VPC with an encrypted environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      KmsKeyArn: Match.anyValue(),
    });
  });

  it('lets the schema handler run statements on this workgroup only and read only its own statements', () => {
    const statements = statementsOfPolicy(template, 'SchemaHandlerRolePolicy');
    const { logicalId: workgroupId } = resourceOf(template, 'AWS::RedshiftServerless::Workgroup');
    expect(statementWithSid(statements, 'RunStatementsOnTheWarehouse')).toMatchObject({
      Action: 'redshift-data:BatchExecuteStatement',
      Resource: { 'Fn::GetAtt': [workgroupId, 'Workgroup.WorkgroupArn'] },
    });
    expect(statementWithSid(statements, 'ReadOwnStatementsStatus')).toMatchObject({
      Action: 'redshift-data:DescribeStatement',
      Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
    });
  });

  it('gives the warehouse a read-only COPY/Spectrum role on the processed zone and the pipeline Glue tables', () => {
    const statements = statementsOfPolicy(template, 'DataRolePolicy');
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => /Put|Delete|Create|Update/.test(a))).toEqual([]);
    expect(JSON.stringify(statements)).toContain(`table/${stage}_bankpipe/*`);
    const trust = resourceOf(template, 'AWS::IAM::Role', 'DataRole').resource.Properties
      .AssumeRolePolicyDocument as {
      Statement: { Principal: { Service: string[] }; Condition: unknown }[];
    };
    expect(trust.Statement).toHaveLength(1);
    expect([...(trust.Statement[0]?.Principal.Service ?? [])].sort()).toEqual([
      'redshift-serverless.amazonaws.com',
      'redshift.amazonaws.com',
    ]);
    expect(trust.Statement[0]?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '111111111111' } });
  });

  it('grants no wildcard action and uses no inline policy', () => {
    expect(wildcardActions(template)).toEqual([]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('WarehouseStack, provisioned', () => {
  let synth: DataServicesSynth;
  let template: Template;
  beforeAll(() => {
    synth = synthDataServices('dev', { stageOverrides: provisionedWarehouseOverrides('dev') });
    template = synth.template('warehouse');
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(synth.nagFindings.filter((f) => f.includes('-warehouse'))).toEqual([]);
    expectSpecificAcknowledgements(synth.acknowledgements.filter((a) => a.path.includes('-warehouse/')));
  });

  it('creates an encrypted, private cluster with enhanced VPC routing, a Redshift-managed (rotated) master secret and snapshots', () => {
    template.resourceCountIs('AWS::RedshiftServerless::Namespace', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const { resource: cluster } = resourceOf(template, 'AWS::Redshift::Cluster');
    expect(cluster.Properties).toMatchObject({
      ClusterIdentifier: 'dev-bankpipe',
      ClusterType: 'multi-node',
      NumberOfNodes: 2,
      Encrypted: true,
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      ManageMasterPassword: true,
      MasterUsername: 'bank_admin',
      AutomatedSnapshotRetentionPeriod: 7,
      AllowVersionUpgrade: true,
      LoggingProperties: { LogDestinationType: 'cloudwatch', LogExports: AUDIT_LOGS },
    });
    expect(cluster.Properties.KmsKeyId).toBeDefined();
    expect(cluster.Properties.MasterPasswordSecretKmsKeyId).toEqual(cluster.Properties.KmsKeyId);
    expect(cluster.Properties.MasterUserPassword).toBeUndefined();
    expect(cluster.DeletionPolicy).toBe('Retain');
  });

  it('requires TLS and logs user activity through its parameter group, in a subnet group of isolated subnets', () => {
    const { logicalId: parameterGroupId } = resourceOf(template, 'AWS::Redshift::ClusterParameterGroup');
    const { logicalId: subnetGroupId, resource: subnetGroup } = resourceOf(
      template,
      'AWS::Redshift::ClusterSubnetGroup',
    );
    template.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', {
      Parameters: Match.arrayWith([
        { ParameterName: 'require_ssl', ParameterValue: 'true' },
        { ParameterName: 'enable_user_activity_logging', ParameterValue: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::Redshift::Cluster', {
      ClusterParameterGroupName: { Ref: parameterGroupId },
      ClusterSubnetGroupName: { Ref: subnetGroupId },
    });
    for (const subnet of subnetGroup.Properties.SubnetIds as unknown[])
      expect(JSON.stringify(subnet)).toMatch(/warehouseSubnet/);
  });

  it('pre-creates the cluster audit log groups', () => {
    for (const log of AUDIT_LOGS) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/redshift/cluster/dev-bankpipe/${log}`,
        KmsKeyId: Match.anyValue(),
      });
    }
  });

  it('signs the schema custom resource in as the master user with temporary credentials, not its secret', () => {
    const { logicalId: clusterId } = resourceOf(template, 'AWS::Redshift::Cluster');
    expect(customResource(template).Target).toEqual({
      Database: 'bank',
      ClusterIdentifier: { Ref: clusterId },
      DbUser: 'bank_admin',
    });
    expect(everyAction(template).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(synth.warehouse.connection.kind).toBe('provisioned');
    expect(synth.warehouse.monitoringTargets.clusterIdentifier).toBeDefined();
  });

  it('lets the schema handler get credentials for the master user of this cluster and database only', () => {
    const statements = statementsOfPolicy(template, 'SchemaHandlerRolePolicy');
    const credentials = statementWithSid(statements, 'GetWarehouseCredentials');
    expect(credentials.Action).toBe('redshift:GetClusterCredentials');
    const resources = JSON.stringify(credentials.Resource);
    expect(resources).toContain(':dbuser:');
    expect(resources).toContain('/bank_admin');
    expect(resources).toContain(':dbname:');
    expect(resources).toContain('/bank"');
    expect(resources).not.toContain('*');
    expect((credentials.Resource as unknown[]).length).toBe(2);
    expect(everyAction(template)).not.toContain('redshift:CreateClusterUser');
  });

  it('creates the reports database user first, password disabled, so the reports identity can sign in', () => {
    const files = customResource(template).SqlFiles as { Name: string; Statements: string[] }[];
    expect(files[0]).toEqual({
      Name: '000_database_users.if-absent.sql',
      Statements: ['CREATE USER bank_reports_job PASSWORD DISABLE'],
    });
    expect(files.some((f) => isReportFile({ name: f.Name, statements: f.Statements }))).toBe(false);
  });
});

describe('WarehouseStack with -c allowDestroy=true (dev, serverless)', () => {
  let synth: DataServicesSynth;
  beforeAll(() => {
    synth = synthDataServices('dev', { context: { allowDestroy: 'true' } });
  });

  it('lets the namespace and the audit log groups be deleted', () => {
    const template = synth.template('warehouse');
    expect(resourceOf(template, 'AWS::RedshiftServerless::Namespace').resource.DeletionPolicy).toBe('Delete');
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as {
      DeletionPolicy?: string;
    }[];
    expect(logGroups.map((g) => g.DeletionPolicy)).toEqual(logGroups.map(() => 'Delete'));
  });

  it('exposes the connection: endpoint, port, Data API ARN and a JDBC URL, and no secret', () => {
    const connection = synth.warehouse.connection;
    expect(Object.keys(connection).filter((key) => /secret/i.test(key))).toEqual([]);
    const resolved = JSON.stringify(synth.warehouse.resolve(connection.jdbcUrl));
    expect(connection).toMatchObject({
      kind: 'serverless',
      databaseName: 'bank',
      port: 5439,
      workgroupName: 'dev-bankpipe',
    });
    expect(resolved).toContain('jdbc:redshift://');
    expect(resolved).toContain(':5439/bank');
    expect(synth.warehouse.monitoringTargets).toEqual({
      kind: 'serverless',
      workgroupName: 'dev-bankpipe',
      clusterIdentifier: undefined,
    });
  });
});
