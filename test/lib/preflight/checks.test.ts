import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requiredSftpSecretKeys, SFTP_SECRET_KEYS } from '../../../connectors/connector-config';
import { loadStageConfig, type StageConfig } from '../../../lib/config';
import type { AvailabilityZone, PreflightAws } from '../../../lib/preflight/aws-ports';
import type { AzSupport } from '../../../lib/preflight/az-support';
import { checkAvailabilityZones } from '../../../lib/preflight/checks/availability-zones';
import { checkBootstrap } from '../../../lib/preflight/checks/bootstrap';
import { checkBuildArtifacts } from '../../../lib/preflight/checks/build-artifacts';
import { checkCredentials } from '../../../lib/preflight/checks/credentials';
import {
  checkLambdaConcurrency,
  MINIMUM_UNRESERVED_CONCURRENCY,
} from '../../../lib/preflight/checks/lambda-concurrency';
import { checkSftpSecret } from '../../../lib/preflight/checks/sftp-secret';
import { formatResult } from '../../../lib/preflight/report';
import type { ReservedFunction, StageRequirements } from '../../../lib/preflight/stage-requirements';
import { cdkJsonContext } from '../../helpers/synth-pipeline';

const US_EAST_1: AvailabilityZone[] = [
  { name: 'us-east-1a', id: 'use1-az6' },
  { name: 'us-east-1b', id: 'use1-az1' },
  { name: 'us-east-1c', id: 'use1-az3' },
  { name: 'us-east-1d', id: 'use1-az4' },
];

/** An account that answers "not found" to everything and does not serve Lambda GetAccountSettings. */
function fakeAws(overrides: Partial<PreflightAws> = {}): PreflightAws {
  return {
    region: 'us-east-1',
    callerIdentity: () =>
      Promise.resolve({ account: '111111111111', arn: 'arn:aws:iam::111111111111:user/ops' }),
    ssmParameter: () => Promise.resolve(undefined),
    lambdaConcurrency: () =>
      Promise.reject(new Error('Lambda GetAccountSettings is not served by this endpoint')),
    secretString: () => Promise.resolve(undefined),
    availabilityZones: () => Promise.resolve(US_EAST_1),
    roleExists: () => Promise.resolve(false),
    ...overrides,
  };
}

function devConfig(overrides: Partial<StageConfig> = {}): StageConfig {
  return { ...loadStageConfig((key) => ({ ...cdkJsonContext(), stage: 'dev' })[key]), ...overrides };
}

const caller = { account: '111111111111', region: 'us-east-1' };

describe('credentials', () => {
  it('fails without a region and says how to set one', async () => {
    const { result, caller: found } = await checkCredentials(undefined, undefined);
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('AWS_REGION');
    expect(found).toBeUndefined();
  });

  it('fails when STS refuses the credentials', async () => {
    const aws = fakeAws({ callerIdentity: () => Promise.reject(new Error('The security token is invalid')) });
    const { result } = await checkCredentials('us-east-1', aws);
    expect(formatResult(result)).toMatch(/^✗ .*token is invalid.*Fix: .*aws configure/);
  });
});

describe('bootstrap', () => {
  const requirements: StageRequirements = {
    bootstrapParameterName: '/cdk-bootstrap/hnb659fds/version',
    minimumBootstrapVersion: 6,
    reservedConcurrency: [],
  };

  it('names the bootstrap command when the parameter is missing or too old, passes at the minimum', async () => {
    const missing = await checkBootstrap(fakeAws(), caller, requirements);
    expect(missing.status).toBe('fail');
    expect(missing.fix).toBe('npx cdk bootstrap aws://111111111111/us-east-1');

    const old = await checkBootstrap(
      fakeAws({ ssmParameter: () => Promise.resolve('5') }),
      caller,
      requirements,
    );
    expect(old.status).toBe('fail');
    expect(old.detail).toContain('needs bootstrap version 6 or later');

    const current = await checkBootstrap(
      fakeAws({ ssmParameter: () => Promise.resolve('6') }),
      caller,
      requirements,
    );
    expect(current.status).toBe('pass');
  });
});

describe('Lambda concurrency', () => {
  const reserved: ReservedFunction[] = [
    { stack: 's', logicalId: 'StartRun', reserved: 1 },
    { stack: 's', logicalId: 'Task', reserved: 2 },
  ];
  const needed = 3 + MINIMUM_UNRESERVED_CONCURRENCY;

  it('passes without asking the account when the stage reserves nothing', async () => {
    expect((await checkLambdaConcurrency(fakeAws(), [])).status).toBe('pass');
  });

  it('fails with the manual command when GetAccountSettings is not served and no quota is given', async () => {
    const result = await checkLambdaConcurrency(fakeAws(), reserved);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('not served');
    expect(result.fix).toContain('aws lambda get-account-settings --region us-east-1');
    expect(result.fix).toContain('--lambda-concurrency-quota');
  });

  it('uses the quota given on the command line when the API is not served', async () => {
    expect((await checkLambdaConcurrency(fakeAws(), reserved, needed)).status).toBe('pass');
    const short = await checkLambdaConcurrency(fakeAws(), reserved, needed - 1);
    expect(short.status).toBe('fail');
    expect(short.fix).toContain(`--desired-value ${needed}`);
  });

  it("compares against the account's own quota when the API answers", async () => {
    const newAccount = fakeAws({ lambdaConcurrency: () => Promise.resolve({ limit: 10, unreserved: 10 }) });
    const result = await checkLambdaConcurrency(newAccount, reserved, 5000);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain("the account's quota is 10 (GetAccountSettings)");
  });
});

describe('SFTP secret', () => {
  const keys = requiredSftpSecretKeys('password');
  const complete = Object.fromEntries(keys.map((key) => [key, 'x']));

  it('prints a create-secret command with every key the source reads', async () => {
    const result = await checkSftpSecret(fakeAws(), devConfig());
    expect(result.status).toBe('fail');
    expect(result.fix).toMatch(
      /^aws secretsmanager create-secret --region us-east-1 --name dev\/bankpipe\/sftp-log-server /,
    );
    const json = /--secret-string '(.*)'$/.exec(result.fix ?? '')?.[1] ?? '';
    expect(Object.keys(JSON.parse(json) as object)).toEqual(keys);
  });

  it('names the keys a secret lacks, and a secret that is not a JSON object', async () => {
    const { knownHosts, ...partial } = complete;
    expect(knownHosts).toBe('x');
    const lacking = await checkSftpSecret(
      fakeAws({ secretString: () => Promise.resolve(JSON.stringify({ ...partial, port: '' })) }),
      devConfig(),
    );
    expect(lacking.detail).toContain(`lacks ${SFTP_SECRET_KEYS.port}, ${SFTP_SECRET_KEYS.knownHosts}`);
    expect(lacking.fix).toContain('put-secret-value');

    const notJson = await checkSftpSecret(
      fakeAws({ secretString: () => Promise.resolve('hunter2') }),
      devConfig(),
    );
    expect(notJson.detail).toContain(`lacks ${keys.join(', ')}`);
    expect(notJson.detail).not.toContain('hunter2');
  });

  it('passes a complete secret, and a stage whose stack creates the secret', async () => {
    const present = fakeAws({ secretString: () => Promise.resolve(JSON.stringify(complete)) });
    expect((await checkSftpSecret(present, devConfig())).status).toBe('pass');
    const base = devConfig();
    const transfer = devConfig({ streaming: { ...base.streaming, useTransferFamily: true } });
    expect((await checkSftpSecret(fakeAws(), transfer)).status).toBe('pass');
  });
});

describe('availability zones', () => {
  const support: AzSupport = {
    checked: '2026-12-02',
    msk: {
      source: 'msk-page',
      exactAzCount: { 'us-west-1': 2 },
      unsupportedAzIds: { 'us-east-1': ['use1-az3'] },
    },
    redshiftServerless: {
      source: 'rs-page',
      supportedAzIds: { 'us-east-1': ['use1-az1', 'use1-az4', 'use1-az6'] },
    },
  };

  it('fails MSK and Redshift when the first AZs of the region include an unsupported AZ ID, and suggests others', async () => {
    const [msk, redshift] = await checkAvailabilityZones(fakeAws(), devConfig(), support);
    expect(msk?.status).toBe('fail');
    expect(msk?.detail).toContain('us-east-1c=use1-az3');
    expect(msk?.fix).toContain('"availabilityZones": ["use1-az6", "use1-az1", "use1-az4"]');
    expect(redshift?.status).toBe('fail');
  });

  it('reads network.availabilityZones from cdk.json through the stage loader, as zone IDs or names', async () => {
    const withZones = (availabilityZones: string[]) => {
      const context = cdkJsonContext() as { stages: Record<string, Record<string, unknown>> };
      const dev = context.stages.dev ?? {};
      const stages = {
        ...context.stages,
        dev: { ...dev, network: { ...(dev.network as object), availabilityZones } },
      };
      return loadStageConfig((key) => ({ ...context, stages, stage: 'dev' })[key]);
    };
    const byId = await checkAvailabilityZones(
      fakeAws(),
      withZones(['use1-az6', 'use1-az1', 'use1-az4']),
      support,
    );
    expect(byId.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(byId[0]?.detail).toContain('(network.availabilityZones)');

    const byName = await checkAvailabilityZones(
      fakeAws(),
      withZones(['us-east-1a', 'us-east-1b', 'us-east-1c']),
      support,
    );
    expect(byName[0]?.detail).toContain('us-east-1c=use1-az3');

    const [absent] = await checkAvailabilityZones(
      fakeAws(),
      withZones(['use1-az6', 'use1-az1', 'use1-az9']),
      support,
    );
    expect(absent?.detail).toContain('use1-az9, which is not an available zone here');
  });

  it('says Redshift Serverless is unverified, not passed, for a region without a recorded list', async () => {
    const other = fakeAws({
      region: 'eu-central-1',
      availabilityZones: () => Promise.resolve(US_EAST_1.slice(0, 3)),
    });
    const [msk, redshift] = await checkAvailabilityZones(other, devConfig(), support);
    expect(msk?.status).toBe('pass');
    expect(redshift?.status).toBe('unknown');
    expect(redshift?.fix).toContain('rs-page');
  });

  it('fails a region where MSK takes a fixed number of subnets that the stage does not match', async () => {
    const west = fakeAws({ region: 'us-west-1', availabilityZones: () => Promise.resolve(US_EAST_1) });
    const [msk] = await checkAvailabilityZones(west, devConfig(), support);
    expect(msk?.status).toBe('fail');
    expect(msk?.detail).toContain('exactly 2 subnets in us-west-1');
  });

  it('fails a region with fewer zones than network.maxAzs', async () => {
    const small = fakeAws({ availabilityZones: () => Promise.resolve(US_EAST_1.slice(0, 2)) });
    const [msk] = await checkAvailabilityZones(small, devConfig(), support);
    expect(msk?.detail).toContain('has 2 availability zones');
  });
});

describe('build artifacts', () => {
  it('fails on empty folders naming each missing file, with make setup as the fix', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-artifacts-'));
    try {
      const result = checkBuildArtifacts({ pluginDistDir: empty, jdbcJarDir: empty });
      expect(result.status).toBe('fail');
      expect(result.detail).toContain('sftp-jsonl-source-*.zip');
      expect(result.detail).toContain('s3-jsonl-sink-*.zip');
      expect(result.detail).toContain('redshift-jdbc42');
      expect(result.fix).toBe('make setup');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
