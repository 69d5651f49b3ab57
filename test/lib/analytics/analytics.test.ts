import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReportQueries } from '../../../lib/analytics/athena-workgroup';
import {
  actionsOf,
  crossStackReference,
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
  type DataServicesSynth,
} from '../../helpers/synth-data-services';
import { loadTemplate, TEST_STAGES } from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

const ATHENA_DIR = path.join(REPO_ROOT, 'sql', 'athena');
const athenaFiles = (): string[] =>
  fs
    .readdirSync(ATHENA_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
const reportNames = (): string[] => athenaFiles().map((f) => f.replace(/\.sql$/, ''));

describe('report queries', () => {
  it('reads one query per sql/athena file, named after the file, described by its first comment', () => {
    const queries = readReportQueries(ATHENA_DIR);
    expect(queries.map((q) => q.name)).toEqual(reportNames());
    for (const query of queries) {
      expect(query.sql).toBe(fs.readFileSync(path.join(ATHENA_DIR, `${query.name}.sql`), 'utf8').trim());
      expect(query.description.length).toBeGreaterThan(0);
    }
  });

  it.each([
    [{ 'Monthly-Trend.sql': 'SELECT 1' }, /lower-case snake case/],
    [{ 'empty.sql': '  \n' }, /empty\.sql is empty/],
    [{}, /has no \.sql files/],
  ])('rejects a bad query folder with a message naming the problem (%#)', (files, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'athena-'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    expect(() => readReportQueries(dir)).toThrow(message);
  });
});

describe.each(TEST_STAGES)('AnalyticsStack (%s, global synth)', (stage) => {
  const config = stageConfig(stage);
  let template: Template;
  beforeAll(() => {
    template = loadTemplate(stage, 'analytics');
  });

  it('has no unacknowledged cdk-nag finding, and each acknowledgement sits on one resource with a specific reason', () => {
    expect(globalNagFindings(stage, 'analytics')).toEqual([]);
    for (const ack of globalAcknowledgements(stage, 'analytics')) {
      expect(ack.path.split('/').filter(Boolean).length).toBeGreaterThanOrEqual(2);
      expect(ack.reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  it('creates the stage Glue database', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ Name: `${stage}_bankpipe` }),
    });
  });

  it('encrypts S3 writes, CloudWatch logs and job bookmarks with the pipeline key in the Glue security configuration', () => {
    const { resource } = resourceOf(template, 'AWS::Glue::SecurityConfiguration');
    const key = crossStackReference(/DataKey/);
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: key }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: key },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: key },
      },
    });
    expect(resource.Properties.Name).toMatch(new RegExp(`^${stage}-bankpipe-[0-9a-f]{8}$`));
  });

  it('crawls raw/transactions/ for new folders only, logging schema changes and deletions, with raw_ table names', () => {
    const securityConfiguration = resourceOf(template, 'AWS::Glue::SecurityConfiguration').resource.Properties
      .Name;
    template.hasResourceProperties('AWS::Glue::Crawler', {
      Name: `${stage}-bankpipe-raw`,
      DatabaseName: `${stage}_bankpipe`,
      TablePrefix: 'raw_',
      Targets: {
        S3Targets: [
          {
            Path: { 'Fn::Join': ['', ['s3://', Match.anyValue(), '/transactions/']] },
            // The S3 sink's watermarks are not transactions.
            Exclusions: ['_sink_watermarks/**'],
          },
        ],
      },
      RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
      CrawlerSecurityConfiguration: securityConfiguration,
    });
  });

  it('crawls processed/transactions/ and one folder per report', () => {
    const crawler = resourceOf(template, 'AWS::Glue::Crawler', 'ProcessedCrawler').resource.Properties;
    const paths = (
      crawler.Targets as { S3Targets: { Path: { 'Fn::Join': [string, unknown[]] } }[] }
    ).S3Targets.map((t) => t.Path['Fn::Join'][1].at(-1));
    expect(paths).toEqual(['/transactions/', ...reportNames().map((r) => `/reports/${r}/`)]);
    expect(crawler).toMatchObject({ Name: `${stage}-bankpipe-processed` });
    // How it recrawls and when it runs are stage settings (test/lib/cost/crawler-settings.test.ts).
    expect(crawler.TablePrefix).toBeUndefined();
    expect(crawler.CrawlerSecurityConfiguration).toBeDefined();
  });

  it('gives each crawler a read-only role on its own folders that can create and update, not delete, pipeline tables', () => {
    for (const prefix of ['RawCrawlerPolicy', 'ProcessedCrawlerPolicy']) {
      const actions = statementsOfPolicy(template, prefix).flatMap(actionsOf);
      expect(
        actions.filter((a) => a.startsWith('s3:') && a !== 's3:GetObject' && a !== 's3:ListBucket'),
      ).toEqual([]);
      expect(actions.filter((a) => a.startsWith('glue:Delete') || a.startsWith('glue:BatchDelete'))).toEqual(
        [],
      );
      expect(actions).toEqual(
        expect.arrayContaining(['glue:CreateTable', 'glue:UpdateTable', 'logs:AssociateKmsKey']),
      );
    }
    const rawReads = statementsOfPolicy(template, 'RawCrawlerPolicy').find(
      (s) => s.Sid === 'ReadTargetFolders',
    );
    expect(JSON.stringify(rawReads?.Resource)).toContain('/transactions/*');
  });

  it('defines the load job: Glue 5.0 Spark, Python 3, the load script and bankpipe zip from the artifacts bucket', () => {
    const job = resourceOf(template, 'AWS::Glue::Job').resource.Properties;
    expect(job).toMatchObject({
      Name: `${stage}-bankpipe-load-warehouse`,
      GlueVersion: '5.0',
      Command: { Name: 'glueetl', PythonVersion: '3' },
      WorkerType: config.analytics.glueWorkerType,
      NumberOfWorkers: config.analytics.glueNumberOfWorkers,
      Timeout: 60,
      MaxRetries: 1,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      SecurityConfiguration: resourceOf(template, 'AWS::Glue::SecurityConfiguration').resource.Properties
        .Name,
      Connections: { Connections: [`${stage}-bankpipe-warehouse-network`] },
    });
    const resolved = JSON.stringify(job);
    expect(JSON.stringify((job.Command as Record<string, unknown>).ScriptLocation)).toContain(
      '/spark-jobs/glue-load/glue_load_warehouse.py',
    );
    const args = job.DefaultArguments as Record<string, unknown>;
    expect(JSON.stringify(args['--extra-py-files'])).toContain('/spark-jobs/glue-load/bankpipe.zip');
    expect(JSON.stringify(args['--extra-jars'])).toContain('/spark-jobs/glue-load/redshift-jdbc42.jar');
    expect(args).toMatchObject({
      '--job-bookmark-option': 'job-bookmark-enable',
      '--enable-continuous-cloudwatch-log': 'true',
      '--enable-metrics': 'true',
    });
    expect(JSON.stringify(args['--TempDir'])).toContain('/glue-temp/load-warehouse/');
    expect(JSON.stringify(args['--processed_uri'])).toMatch(/s3:\/\/.*Processed/);
    expect(JSON.stringify(args['--redshift_jdbc_url'])).toContain('jdbc:redshift://');
    expect(resolved).not.toContain('{{resolve:');
  });

  it('names the warehouse login, never a secret or a password: the job gets temporary credentials itself', () => {
    const args = resourceOf(template, 'AWS::Glue::Job').resource.Properties.DefaultArguments as Record<
      string,
      unknown
    >;
    expect(Object.keys(args).filter((k) => /password|user|secret/i.test(k))).toEqual([]);
    expect(JSON.stringify(args)).not.toMatch(/password|secretsmanager:|SecretString/i);
    expect(args).toMatchObject({
      '--redshift_kind': 'serverless',
      '--redshift_database': config.warehouse.databaseName,
      '--redshift_workgroup': `${stage}-bankpipe`,
    });
    expect(args['--redshift_cluster_id']).toBeUndefined();
  });

  it('puts the job in a private subnet with the Glue security group through a NETWORK connection', () => {
    template.hasResourceProperties('AWS::Glue::Connection', {
      ConnectionInput: {
        Name: `${stage}-bankpipe-warehouse-network`,
        ConnectionType: 'NETWORK',
        PhysicalConnectionRequirements: {
          SubnetId: crossStackReference(/servicesSubnet/),
          SecurityGroupIdList: [crossStackReference(/Glue/)],
          AvailabilityZone: Match.anyValue(),
        },
      },
    });
  });

  it('lets the job role get credentials for itself on the workgroup, read the processed transactions and its files, nothing in raw, no secret', () => {
    const statements = statementsOfPolicy(template, 'LoadJobPolicy');
    const credentials = statementWithSid(statements, 'GetWarehouseCredentials');
    expect(actionsOf(credentials)).toEqual(['redshift-serverless:GetCredentials']);
    expect(JSON.stringify(credentials.Resource)).toMatch(/Workgroup/);
    expect(JSON.stringify(credentials.Resource)).not.toContain('*');
    expect(statements.flatMap(actionsOf).filter((a) => /^(secretsmanager|redshift):/.test(a))).toEqual([]);
    expect(actionsOf(statementWithSid(statements, 'ReadProcessedTransactions'))).toEqual(['s3:GetObject']);
    expect(JSON.stringify(statements)).not.toMatch(/OutputFnGetAttRaw/);
  });

  it('tags the job role with the database role its serverless login gets (RedshiftDbRoles)', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
      id.startsWith('LoadJobRole'),
    );
    expect(roles).toHaveLength(1);
    const tags = (roles[0]?.[1] as { Properties: { Tags?: { Key: string; Value: string }[] } }).Properties
      .Tags;
    expect(tags?.filter((t) => t.Key === 'RedshiftDbRoles')).toEqual([
      { Key: 'RedshiftDbRoles', Value: 'bank_loader_role' },
    ]);
  });

  it('enforces an Athena engine v3 workgroup with KMS-encrypted results, metrics and the scan cutoff from config', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: `${stage}-bankpipe`,
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: config.analytics.athenaBytesScannedCutoff,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': ['', ['s3://', crossStackReference(/AthenaResults/), '/results/']],
          },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
          ExpectedBucketOwner: '111111111111',
        },
      },
    });
  });

  it('has one named query per sql/athena file, in the pipeline database and workgroup', () => {
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map(
      (q) => (q as { Properties: Record<string, unknown> }).Properties,
    );
    expect(queries).toHaveLength(athenaFiles().length);
    const { logicalId: workgroupId } = resourceOf(template, 'AWS::Athena::WorkGroup');
    expect(queries.map((q) => q.Name).sort()).toEqual(reportNames());
    for (const query of queries) {
      expect(query.Database).toBe(`${stage}_bankpipe`);
      expect(query.WorkGroup).toEqual({ Ref: workgroupId });
      expect(query.QueryString).toBe(
        fs.readFileSync(path.join(ATHENA_DIR, `${String(query.Name)}.sql`), 'utf8').trim(),
      );
    }
  });

  it('grants no wildcard action and uses no inline policy', () => {
    expect(wildcardActions(template)).toEqual([]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('AnalyticsStack, provisioned warehouse', () => {
  let synth: DataServicesSynth;
  let template: Template;
  beforeAll(() => {
    synth = synthDataServices('dev', { stageOverrides: provisionedWarehouseOverrides('dev') });
    template = synth.template('analytics');
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(synth.nagFindings.filter((f) => f.includes('-analytics'))).toEqual([]);
  });

  it('lets the load job log in only as bank_loader_job of this cluster, in group bank_loader, created on first use', () => {
    const statements = statementsOfPolicy(template, 'LoadJobPolicy');
    // arn:aws:redshift:<region>:<account>:<resource>:<cluster>/<name>, the cluster id read from the warehouse stack.
    const arn = (resource: string, name: string): unknown =>
      expect.stringMatching(
        new RegExp(
          `^\\{Fn::Join:\\[,\\[arn:aws:redshift:eu-central-1:111111111111:${resource}:,` +
            `\\{Fn::GetStackOutput:\\{StackName:dev-bankpipe-warehouse,[^}]*ProvisionedCluster[^}]*\\}\\},/${name}\\]\\]\\}$`,
        ),
      );
    const resources = (sid: string): string[] => {
      const resource = statementWithSid(statements, sid).Resource as unknown;
      return (Array.isArray(resource) ? resource : [resource])
        .map((r) => JSON.stringify(synth.analytics.resolve(r)).replace(/"/g, ''))
        .sort();
    };
    expect(actionsOf(statementWithSid(statements, 'GetWarehouseCredentials'))).toEqual([
      'redshift:GetClusterCredentials',
    ]);
    expect(resources('GetWarehouseCredentials')).toEqual([
      arn('dbname', synth.config.warehouse.databaseName),
      arn('dbuser', 'bank_loader_job'),
    ]);
    expect(resources('CreateLoaderDbUser')).toEqual([arn('dbuser', 'bank_loader_job')]);
    expect(resources('JoinLoaderDbGroup')).toEqual([arn('dbgroup', 'bank_loader')]);
    expect(
      statements.flatMap(actionsOf).filter((a) => /^(secretsmanager|redshift-serverless|tag):/.test(a)),
    ).toEqual([]);
    const args = resourceOf(template, 'AWS::Glue::Job').resource.Properties.DefaultArguments as Record<
      string,
      unknown
    >;
    expect(args['--redshift_kind']).toBe('provisioned');
    expect(args['--redshift_cluster_id']).toBeDefined();
    expect(args['--redshift_workgroup']).toBeUndefined();
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('RedshiftDbRoles');
  });
});

describe('AnalyticsStack contracts', () => {
  let synth: DataServicesSynth;
  let template: Template;
  beforeAll(() => {
    synth = synthDataServices('dev');
    template = synth.template('analytics');
  });

  it('exposes the names the orchestration runs and the dashboard watches', () => {
    const targets = synth.analytics.resolve(synth.analytics.runTargets) as Record<string, unknown>;
    expect(targets.glueDatabaseName).toBe('dev_bankpipe');
    expect(targets.rawCrawlerName).toEqual({
      Ref: resourceOf(template, 'AWS::Glue::Crawler', 'RawCrawler').logicalId,
    });
    expect(targets.loadJobName).toEqual({ Ref: resourceOf(template, 'AWS::Glue::Job').logicalId });
    expect(targets.athenaWorkgroupName).toEqual({
      Ref: resourceOf(template, 'AWS::Athena::WorkGroup').logicalId,
    });
    expect(synth.analytics.monitoringTargets.crawlerNames).toHaveLength(2);
  });
});
