import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredSftpSecretKeys } from '../../../connectors/connector-config';
import { loadStageConfig } from '../../../lib/config';
import { sdkPreflightAws } from '../../../lib/preflight/aws-ports';
import { checkLambdaConcurrency } from '../../../lib/preflight/checks/lambda-concurrency';
import { SERVICE_LINKED_ROLES } from '../../../lib/preflight/checks/service-linked-roles';
import { startMotoServer, type MotoServer } from '../../helpers/moto-server';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

/**
 * bin/preflight.ts as `make preflight` runs it, as a child process against a
 * moto server (AWS_ENDPOINT_URL): an empty account fails with every missing
 * prerequisite and its fix; after the documented fixes (done here with the SDK
 * calls the printed commands make) it passes. The CLI synthesizes the stage
 * itself, so this file needs no global synth (SKIP_CDK_SYNTH=1) and runs it twice.
 */

const STAGE = 'dev';
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMotoServer();
});

afterAll(async () => {
  await moto?.stop();
});

function runPreflight(
  ...extra: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['bin/preflight.ts', '-c', `stage=${STAGE}`, ...extra], {
      cwd: REPO_ROOT,
      env: moto.env(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The report line of one check. */
function line(stdout: string, checkName: string): string {
  const found = stdout.split('\n').find((l) => l.slice(2).startsWith(`${checkName}:`));
  if (!found) throw new Error(`no line for '${checkName}' in:\n${stdout}`);
  return found;
}

describe('make preflight against a moto account', () => {
  const sftpSecretName = loadStageConfig((key) => ({ ...cdkJsonContext(), stage: STAGE })[key]).streaming
    .sftpSecretName;

  it('fails on an empty account, naming each missing prerequisite and its fix, then passes once they exist', async () => {
    const empty = await runPreflight();
    expect(empty.status, empty.stderr).toBe(1);
    const out = empty.stdout;
    expect(line(out, 'Credentials and region')).toMatch(/^✓ .*account 123456789012, region eu-central-1/);

    const bootstrap = line(out, 'CDK bootstrap');
    expect(bootstrap).toMatch(/^✗ /);
    expect(bootstrap).toContain('Fix: npx cdk bootstrap aws://123456789012/eu-central-1');
    const [, parameterName, requiredVersion] =
      /SSM parameter (\S+) does not exist: .*version (\d+) or later needed/.exec(bootstrap) ?? [];
    expect(parameterName).toMatch(/^\/cdk-bootstrap\/[a-z0-9]+\/version$/);

    const secret = line(out, 'SFTP log-server secret');
    expect(secret).toMatch(/^✗ /);
    expect(secret).toContain(
      `Fix: aws secretsmanager create-secret --region eu-central-1 --name ${sftpSecretName}`,
    );
    for (const key of requiredSftpSecretKeys('password')) expect(secret).toContain(`"${key}":`);

    for (const { roleName, serviceName } of SERVICE_LINKED_ROLES) {
      const role = line(out, `Service-linked role ${roleName}`);
      expect(role).toMatch(/^✗ /);
      expect(role).toContain(`Fix: aws iam create-service-linked-role --aws-service-name ${serviceName}`);
    }
    expect(line(out, 'MSK availability zones')).toMatch(/^✓ .*euc1-az/);
    expect(line(out, 'Plugin zips and JDBC driver')).toMatch(/^✓ /);
    expect(out).toMatch(/checks failed.*make preflight STAGE=dev again/);

    // The fixes, with the SDK calls the printed commands make.
    const config = moto.clientConfig();
    await new SSMClient(config).send(
      new PutParameterCommand({ Name: parameterName, Value: requiredVersion, Type: 'String' }),
    );
    const secretValue = Object.fromEntries(
      requiredSftpSecretKeys('password').map((key) => [key, `test-${key}`]),
    );
    await new SecretsManagerClient(config).send(
      new CreateSecretCommand({ Name: sftpSecretName, SecretString: JSON.stringify(secretValue) }),
    );
    // `aws iam create-service-linked-role` names the role as each service defines it; moto instead
    // names it after the service (AWSServiceRoleForelasticmapreduce), so the role is made as AWS names it.
    const iam = new IAMClient(config);
    for (const { roleName, serviceName } of SERVICE_LINKED_ROLES) {
      const trust = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: serviceName }, Action: 'sts:AssumeRole' }],
      };
      await iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          Path: `/aws-service-role/${serviceName}/`,
          AssumeRolePolicyDocument: JSON.stringify(trust),
        }),
      );
    }

    // moto does not serve Lambda GetAccountSettings: the quota is given as the README says.
    const ready = await runPreflight('--lambda-concurrency-quota', '1000');
    expect(ready.status, ready.stdout + ready.stderr).toBe(0);
    expect(ready.stdout).not.toMatch(/^✗ /m);
    expect(line(ready.stdout, 'CDK bootstrap')).toMatch(/^✓ /);
    expect(line(ready.stdout, 'SFTP log-server secret')).toMatch(/^✓ /);
    expect(ready.stdout).toContain('Next: npx cdk deploy --all -c stage=dev');
  });

  it('reports that moto does not serve GetAccountSettings, and passes on a quota given instead', async () => {
    const aws = sdkPreflightAws(moto.region, moto.clientConfig());
    const reserved = [{ stack: 'orchestration', logicalId: 'StartRun', reserved: 1 }];
    const unserved = await checkLambdaConcurrency(aws, reserved);
    expect(unserved.status).toBe('fail');
    expect(unserved.detail).toContain('not served by this endpoint');
    expect(unserved.fix).toContain('aws lambda get-account-settings');
    expect((await checkLambdaConcurrency(aws, reserved, 1000)).status).toBe('pass');
  });

  it('stops on a bad flag with the usage and exit status 2', async () => {
    const result = await runPreflight('--lambda-concurrency-quota', 'lots');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--lambda-concurrency-quota takes a positive whole number, got 'lots'");
  });
});
