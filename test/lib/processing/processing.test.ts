import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EMR_TLS_ZIP_SETTING } from '../../../lib/config';
import { emrSecurityConfigurationDocument } from '../../../lib/processing/emr-security-configuration';
import {
  BANKPIPE_FRAUD_RULES_ENTRY,
  BANKPIPE_LAYOUT_ENTRY,
  BANKPIPE_SCHEMA_ENTRY,
  bundleFingerprint,
  writeBundle,
} from '../../../lib/processing/emr-spark-job-bundle';
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
  stageConfig,
  synthDataServices,
  type DataServicesSynth,
} from '../../helpers/synth-data-services';
import { FIXTURE_EMR_TLS_ZIP_KEY } from '../../fixtures/emr-tls-fixture';
import { loadTemplate, TEST_STAGES } from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

/** Lists a zip with Python's zipfile (an independent reader) as { name: content }. */
function readZipWithPython(zipFile: string): Record<string, string> {
  const script = [
    'import json, sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1]) as z:',
    '    assert z.testzip() is None',
    '    print(json.dumps({n: z.read(n).decode("utf-8") for n in z.namelist()}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, zipFile], { encoding: 'utf8' })) as Record<
    string,
    string
  >;
}

describe('ATM job bundle', () => {
  const spec = {
    files: { 'atm_job.py': path.join(REPO_ROOT, 'spark-jobs', 'atm_job.py') },
    packageDir: path.join(REPO_ROOT, 'spark-jobs', 'bankpipe'),
    contractSchemaPath: path.join(REPO_ROOT, 'contracts', 'transaction.schema.json'),
    fraudRulesPath: path.join(REPO_ROOT, 'contracts', 'fraud-rules.json'),
  };

  it('holds the job script and a zip of every bankpipe module plus the contract as bankpipe/transaction.schema.json', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
    expect(writeBundle(spec, out)).toEqual(['atm_job.py', 'bankpipe.zip']);
    expect(fs.readFileSync(path.join(out, 'atm_job.py'))).toEqual(fs.readFileSync(spec.files['atm_job.py']));

    const zipped = readZipWithPython(path.join(out, 'bankpipe.zip'));
    const modules = fs.readdirSync(spec.packageDir).filter((f) => f.endsWith('.py'));
    expect(modules.length).toBeGreaterThan(1);
    expect(Object.keys(zipped).sort()).toEqual(
      [
        ...modules.map((m) => `bankpipe/${m}`),
        BANKPIPE_SCHEMA_ENTRY,
        BANKPIPE_FRAUD_RULES_ENTRY,
        BANKPIPE_LAYOUT_ENTRY,
      ].sort(),
    );
    expect(zipped[BANKPIPE_SCHEMA_ENTRY]).toBe(fs.readFileSync(spec.contractSchemaPath, 'utf8'));
    expect(zipped[BANKPIPE_FRAUD_RULES_ENTRY]).toBe(fs.readFileSync(spec.fraudRulesPath, 'utf8'));
    // The jobs read their zone paths from the packaged layout, never from the repository on EMR.
    expect(zipped[BANKPIPE_LAYOUT_ENTRY]).toBe(
      fs.readFileSync(path.join(REPO_ROOT, 'contracts', 'pipeline-layout.json'), 'utf8'),
    );
    expect(Object.keys(zipped).some((n) => n.includes('__pycache__'))).toBe(false);
  });

  it('builds byte-identical bundles from identical sources (fixed zip timestamps)', () => {
    const first = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-a-'));
    const second = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-b-'));
    writeBundle(spec, first);
    writeBundle(spec, second);
    expect(
      fs
        .readFileSync(path.join(first, 'bankpipe.zip'))
        .equals(fs.readFileSync(path.join(second, 'bankpipe.zip'))),
    ).toBe(true);
  });

  it("stops with the packager's message when the contract cannot be packaged", () => {
    const badSchema = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'schema-')), 'transaction.schema.json');
    fs.writeFileSync(badSchema, '{ not json');
    // The pipeline layout travels beside the contract; only the contract is broken here.
    fs.copyFileSync(
      path.join(REPO_ROOT, 'contracts', 'pipeline-layout.json'),
      path.join(path.dirname(badSchema), 'pipeline-layout.json'),
    );
    expect(() =>
      writeBundle({ ...spec, contractSchemaPath: badSchema }, fs.mkdtempSync(path.join(os.tmpdir(), 'out-'))),
    ).toThrow(/building bankpipe\.zip with 'python3 -m bankpipe\.package' failed: .+/s);
  });

  it('changes its fingerprint when a packaged file changes, and only then', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'bankpipe-'));
    const packageCopy = path.join(copy, 'bankpipe');
    fs.cpSync(spec.packageDir, packageCopy, { recursive: true });
    const copied = { ...spec, packageDir: packageCopy };
    const before = bundleFingerprint(copied);
    expect(bundleFingerprint(copied)).toBe(before);
    fs.appendFileSync(path.join(packageCopy, '__init__.py'), '\n# changed\n');
    expect(bundleFingerprint(copied)).not.toBe(before);
  });

  it('names the missing file when a job source is absent', () => {
    expect(() => bundleFingerprint({ ...spec, files: { 'atm_job.py': '/nowhere/atm_job.py' } })).toThrow(
      /job file 'atm_job\.py' not found at \/nowhere\/atm_job\.py/,
    );
  });
});

describe('EMR security configuration document', () => {
  it('turns on node-to-node TLS only with a certificate zip', () => {
    expect(emrSecurityConfigurationDocument('arn:key')).toMatchObject({
      EncryptionConfiguration: { EnableInTransitEncryption: false },
    });
    expect(emrSecurityConfigurationDocument('arn:key', 's3://artifacts/certs.zip')).toMatchObject({
      EncryptionConfiguration: {
        EnableInTransitEncryption: true,
        InTransitEncryptionConfiguration: {
          TLSCertificateConfiguration: {
            CertificateProviderType: 'PEM',
            S3Object: 's3://artifacts/certs.zip',
          },
        },
      },
    });
  });
});

describe.each(TEST_STAGES)('ProcessingStack (%s, global synth)', (stage) => {
  const config = stageConfig(stage);
  let template: Template;
  beforeAll(() => {
    template = loadTemplate(stage, 'processing');
  });

  it('has no unacknowledged cdk-nag finding, and each acknowledgement sits on one resource with a specific reason', () => {
    expect(globalNagFindings(stage, 'processing')).toEqual([]);
    const acks = globalAcknowledgements(stage, 'processing');
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path.split('/').filter(Boolean).length).toBeGreaterThanOrEqual(2);
      expect(ack.reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  it('creates no EMR cluster: clusters are created per run by the orchestration', () => {
    template.resourceCountIs('AWS::EMR::Cluster', 0);
  });

  it('encrypts at rest with the pipeline key (S3 SSE-KMS, local disks and EBS) and enforces IMDSv2', () => {
    const { resource } = resourceOf(template, 'AWS::EMR::SecurityConfiguration');
    const keyArn = crossStackReference(/DataKey/);
    template.hasResourceProperties('AWS::EMR::SecurityConfiguration', {
      SecurityConfiguration: {
        EncryptionConfiguration: {
          EnableAtRestEncryption: true,
          AtRestEncryptionConfiguration: {
            S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: keyArn },
            LocalDiskEncryptionConfiguration: {
              EncryptionKeyProviderType: 'AwsKms',
              AwsKmsKey: keyArn,
              EnableEbsEncryption: true,
            },
          },
        },
        InstanceMetadataServiceConfiguration: {
          MinimumInstanceMetadataServiceVersion: 2,
          HttpPutResponseHopLimit: 1,
        },
      },
    });
    // Named after a hash of its document: a changed configuration is replaced under a new name,
    // and the run state machine (another stack) holds that name, not a reference that could go stale.
    expect(resource.Properties.Name).toMatch(new RegExp(`^${stage}-bankpipe-processing-emr-[0-9a-f]{12}$`));
  });

  it('encrypts traffic between EMR nodes with the stage certificate zip, required in prod', () => {
    const zipKey = config.processing.emrTlsCertificatesZipKey;
    const document = JSON.stringify(resourceOf(template, 'AWS::EMR::SecurityConfiguration').resource);
    if (stage === 'prod') {
      expect(zipKey).toBe(FIXTURE_EMR_TLS_ZIP_KEY);
      template.hasResourceProperties('AWS::EMR::SecurityConfiguration', {
        SecurityConfiguration: {
          EncryptionConfiguration: {
            EnableInTransitEncryption: true,
            InTransitEncryptionConfiguration: {
              TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: Match.anyValue() },
            },
          },
        },
      });
      // s3://<artifacts bucket>/<key>, and the nodes may read exactly that object.
      expect(document).toContain(`/${FIXTURE_EMR_TLS_ZIP_KEY}`);
      expect(document).toContain('s3://');
      const readJobFiles = statementWithSid(
        statementsOfPolicy(template, 'EmrInstancePolicy'),
        'ReadJobFiles',
      );
      expect(JSON.stringify(readJobFiles.Resource)).toContain(`/${FIXTURE_EMR_TLS_ZIP_KEY}`);
    } else {
      expect(zipKey).toBeUndefined();
      template.hasResourceProperties('AWS::EMR::SecurityConfiguration', {
        SecurityConfiguration: { EncryptionConfiguration: { EnableInTransitEncryption: false } },
      });
      expect(document).not.toContain('InTransitEncryptionConfiguration');
    }
  });

  it('gives the instance profile the instance role and its name, as EmrCreateCluster expects', () => {
    const { logicalId: roleId } = resourceOf(template, 'AWS::IAM::Role', 'EmrInstanceRole');
    template.hasResourceProperties('AWS::IAM::InstanceProfile', {
      Roles: [{ Ref: roleId }],
      InstanceProfileName: { Ref: roleId },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      },
    });
  });

  it('uses AmazonEMRServicePolicy_v2 for the service role, assumable only by EMR for this account', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'elasticmapreduce.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111111111111' } }),
          }),
        ],
      },
      ManagedPolicyArns: Match.arrayWith([
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonEMRServicePolicy_v2'],
          ],
        },
      ]),
    });
  });

  it('lets the service role pass only the instance role, only to EC2', () => {
    const { logicalId: roleId } = resourceOf(template, 'AWS::IAM::Role', 'EmrInstanceRole');
    const passRole = statementsOfPolicy(template, 'EmrServicePolicy').filter((s) =>
      actionsOf(s).includes('iam:PassRole'),
    );
    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    ]);
  });

  it('lets the instance role read raw transactions only, write processed and quarantine, and push logs under emr-logs/', () => {
    const statements = statementsOfPolicy(template, 'EmrInstancePolicy');
    expect(actionsOf(statementWithSid(statements, 'ReadRawTransactions'))).toEqual(['s3:GetObject']);
    expect(JSON.stringify(statementWithSid(statements, 'ReadRawTransactions').Resource)).toContain(
      '/transactions/*',
    );
    expect(JSON.stringify(statementWithSid(statements, 'ListRawTransactions').Condition)).toContain(
      'transactions/*',
    );
    expect(JSON.stringify(statementWithSid(statements, 'WriteOutputZones').Resource)).toMatch(
      /Processed.*Quarantine/,
    );
    expect(actionsOf(statementWithSid(statements, 'WriteOutputZones'))).toEqual(
      expect.arrayContaining(['s3:PutObject', 's3:DeleteObject']),
    );
    expect(actionsOf(statementWithSid(statements, 'PushClusterLogs'))).toEqual(['s3:PutObject']);
    expect(JSON.stringify(statementWithSid(statements, 'PushClusterLogs').Resource)).toContain('/emr-logs/*');
    expect(JSON.stringify(statementWithSid(statements, 'ReadJobFiles').Resource)).toMatch(
      /spark-jobs\/atm\/atm_job\.py.*spark-jobs\/atm\/bankpipe\.zip/,
    );
    // Nothing writes to the raw zone.
    const rawWrites = statements.filter(
      (s) =>
        JSON.stringify(s.Resource).includes('OutputFnGetAttRaw') &&
        actionsOf(s).some((a) => /Put|Delete/.test(a)),
    );
    expect(rawWrites).toEqual([]);
  });

  it('grants no wildcard action and uses no inline policy anywhere in the stack', () => {
    expect(wildcardActions(template)).toEqual([]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as { Properties: Record<string, unknown> }).Properties.Policies).toBeUndefined();
    }
  });

  it('deploys atm_job.py and bankpipe.zip under spark-jobs/atm/ of the artifacts bucket, KMS-encrypted, from a VPC Lambda', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'spark-jobs/atm/',
      Prune: true,
      SystemMetadata: { sse: 'aws:kms', 'sse-kms-key-id': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
    });
  });

  it('keeps its log groups KMS-encrypted with the stage retention, retained on stack deletion', () => {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as {
      Properties: { KmsKeyId?: unknown; RetentionInDays?: number };
      DeletionPolicy?: string;
    }[];
    expect(logGroups.length).toBeGreaterThan(0);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.KmsKeyId).toBeDefined();
      expect(logGroup.Properties.RetentionInDays).toBe(config.orchestration.logRetentionDays);
      expect(logGroup.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('ProcessingStack contracts', () => {
  let synth: DataServicesSynth;
  const warnings: string[] = [];
  beforeAll(() => {
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    });
    try {
      synth = synthDataServices('dev');
    } finally {
      warn.mockRestore();
    }
  });

  it('prints a synth warning naming the certificate setting when dev runs EMR without in-transit encryption', () => {
    const emrWarnings = warnings.filter((w) => w.includes('in-transit encryption'));
    expect(emrWarnings).toHaveLength(1);
    expect(emrWarnings[0]).toContain(`stages.dev.${EMR_TLS_ZIP_SETTING}`);
    expect(emrWarnings[0]).toContain('privateKey.pem');
  });

  it('exposes per-run cluster settings with s3:// URIs and the idle timeout from config', () => {
    const settings = synth.processing.emrRunSettings;
    const resolve = (value: unknown): string => JSON.stringify(synth.processing.resolve(value));
    expect(settings.releaseLabel).toMatch(/^emr-7\./);
    expect(settings.idleTimeoutSeconds).toBe(synth.config.processing.idleTimeoutMinutes * 60);
    expect(settings.coreInstanceCount).toBe(synth.config.processing.coreInstanceCount);
    expect(resolve(settings.atmJobScriptUri)).toContain('spark-jobs/atm/atm_job.py');
    expect(resolve(settings.atmJobPyFilesUri)).toContain('spark-jobs/atm/bankpipe.zip');
    expect(resolve(settings.logUri)).toContain('/emr-logs/');
    expect(resolve(settings.atmJobScriptUri)).toContain('s3://');
    expect(synth.processing.monitoringTargets.securityConfigurationName).toBe(
      settings.securityConfigurationName,
    );
  });
});
