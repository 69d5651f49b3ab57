import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REDSHIFT_PASSWORD_EXCLUDED } from '../../lib/warehouse/redshift-serverless-warehouse';
import { readWarehouseSqlFiles, splitStatements, sqlFilesHash } from '../../lib/warehouse/redshift-sql-files';
import {
  actionsOf,
  crossStackReference,
  allowStatements,
  resourceOf,
  statementsOfPolicy,
  statementWithSid,
} from '../helpers/data-services-assertions';
import {
  globalAcknowledgements,
  globalNagFindings,
  stageConfig,
  synthDataServices,
  type Acknowledgement,
  type DataServicesSynth,
} from '../helpers/synth-data-services';
import { loadTemplate, TEST_STAGES } from '../helpers/synth-pipeline';
import { REPO_ROOT } from '../../lib/shared/repo-root';

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

describe.each(TEST_STAGES)('WarehouseStack, serverless (%s, global synth)', (stage) => {
  const config = stageConfig(stage);
  const name = `${stage}-bank-pipeline`;
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

  it('gives the namespace its admin password only as a Secrets Manager dynamic reference', () => {
    const { resource: secret, logicalId: secretId } = resourceOf(template, 'AWS::SecretsManager::Secret');
    const namespace = resourceOf(template, 'AWS::RedshiftServerless::Namespace').resource;
    expect(namespace.Properties.AdminUserPassword).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']],
    });
    expect(namespace.Properties.ManageAdminPassword).toBeUndefined();
    expect(secret.Properties.KmsKeyId).toBeDefined();
    const generate = secret.Properties.GenerateSecretString as Record<string, unknown>;
    expect(generate).toMatchObject({
      GenerateStringKey: 'password',
      ExcludeCharacters: REDSHIFT_PASSWORD_EXCLUDED,
      PasswordLength: 32,
      RequireEachIncludedType: true,
    });
    expect(JSON.parse(generate.SecretStringTemplate as string)).toEqual({
      username: 'bank_admin',
      dbname: config.warehouse.databaseName,
      port: 5439,
      engine: 'redshift',
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

  it('keeps the namespace and the admin secret when the stack is deleted', () => {
    expect(resourceOf(template, 'AWS::RedshiftServerless::Namespace').resource.DeletionPolicy).toBe('Retain');
    expect(resourceOf(template, 'AWS::SecretsManager::Secret').resource.DeletionPolicy).toBe('Retain');
  });

  it('applies every sql/redshift file, in order, through the schema custom resource with a hash of the SQL', () => {
    const properties = customResource(template);
    const files = readWarehouseSqlFiles(SQL_DIR);
    const names = fs
      .readdirSync(SQL_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect((properties.SqlFiles as { Name: string }[]).map((f) => f.Name)).toEqual(names);
    expect(properties.SqlFiles).toEqual(files.map((f) => ({ Name: f.name, Statements: f.statements })));
    expect(properties.SqlHash).toBe(sqlFilesHash(files));
    expect(properties.Target).toMatchObject({
      Database: config.warehouse.databaseName,
      WorkgroupName: name,
    });
    expect((properties.Target as Record<string, unknown>).ClusterIdentifier).toBeUndefined();
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
    expect(JSON.stringify(statements)).toContain(`table/${stage}_bank_pipeline/*`);
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
    expect(allowStatements(template).flatMap((s) => actionsOf(s).filter((a) => a.includes('*')))).toEqual([]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('WarehouseStack, provisioned', () => {
  let synth: DataServicesSynth;
  let template: Template;
  beforeAll(() => {
    synth = synthDataServices('dev', {
      stageOverrides: { warehouse: { kind: 'provisioned', numberOfNodes: 2 } },
    });
    template = synth.template('warehouse');
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(synth.nagFindings.filter((f) => f.includes('-warehouse'))).toEqual([]);
    expectSpecificAcknowledgements(synth.acknowledgements.filter((a) => a.path.includes('-warehouse/')));
  });

  it('creates an encrypted, private cluster with enhanced VPC routing, a Redshift-managed master secret and snapshots', () => {
    template.resourceCountIs('AWS::RedshiftServerless::Namespace', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const { resource: cluster } = resourceOf(template, 'AWS::Redshift::Cluster');
    expect(cluster.Properties).toMatchObject({
      ClusterIdentifier: 'dev-bank-pipeline',
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
        LogGroupName: `/aws/redshift/cluster/dev-bank-pipeline/${log}`,
        KmsKeyId: Match.anyValue(),
      });
    }
  });

  it('points the schema custom resource and the connection at the cluster and its managed secret', () => {
    const { logicalId: clusterId } = resourceOf(template, 'AWS::Redshift::Cluster');
    expect(customResource(template).Target).toMatchObject({
      ClusterIdentifier: { Ref: clusterId },
      SecretArn: { 'Fn::GetAtt': [clusterId, 'MasterPasswordSecretArn'] },
    });
    expect(synth.warehouse.connection.kind).toBe('provisioned');
    expect(synth.warehouse.monitoringTargets.clusterIdentifier).toBeDefined();
  });
});

describe('WarehouseStack with -c allowDestroy=true (dev, serverless)', () => {
  let synth: DataServicesSynth;
  beforeAll(() => {
    synth = synthDataServices('dev', { context: { allowDestroy: 'true' } });
  });

  it('lets the namespace, the admin secret and the audit log groups be deleted', () => {
    const template = synth.template('warehouse');
    expect(resourceOf(template, 'AWS::RedshiftServerless::Namespace').resource.DeletionPolicy).toBe('Delete');
    expect(resourceOf(template, 'AWS::SecretsManager::Secret').resource.DeletionPolicy).toBe('Delete');
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as {
      DeletionPolicy?: string;
    }[];
    expect(logGroups.map((g) => g.DeletionPolicy)).toEqual(logGroups.map(() => 'Delete'));
  });

  it('exposes the connection: secret, endpoint, port, Data API ARN and a JDBC URL', () => {
    const connection = synth.warehouse.connection;
    const resolved = JSON.stringify(synth.warehouse.resolve(connection.jdbcUrl));
    expect(connection).toMatchObject({
      kind: 'serverless',
      databaseName: 'bank',
      port: 5439,
      workgroupName: 'dev-bank-pipeline',
    });
    expect(resolved).toContain('jdbc:redshift://');
    expect(resolved).toContain(':5439/bank');
    expect(synth.warehouse.monitoringTargets).toEqual({
      kind: 'serverless',
      workgroupName: 'dev-bank-pipeline',
      clusterIdentifier: undefined,
    });
  });
});
