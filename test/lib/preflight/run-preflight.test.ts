import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../../lib/config';
import type { PreflightAws } from '../../../lib/preflight/aws-ports';
import { AZ_SUPPORT } from '../../../lib/preflight/az-support';
import { formatResult, formatSummary } from '../../../lib/preflight/report';
import { runPreflight, type PreflightInput } from '../../../lib/preflight/run-preflight';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

const config = loadStageConfig((key) => ({ ...cdkJsonContext(), stage: 'dev' })[key]);
const missingFolder = path.join(REPO_ROOT, 'no-such-folder');

function input(overrides: Partial<PreflightInput>): PreflightInput {
  const aws: PreflightAws = {
    region: 'eu-central-1',
    callerIdentity: () =>
      Promise.resolve({ account: '111111111111', arn: 'arn:aws:iam::111111111111:user/ops' }),
    ssmParameter: () => Promise.resolve('99'),
    lambdaConcurrency: () => Promise.resolve({ limit: 1000, unreserved: 1000 }),
    secretString: () => Promise.resolve(undefined),
    availabilityZones: () =>
      Promise.resolve(['a', 'b', 'c'].map((x, i) => ({ name: `eu-central-1${x}`, id: `euc1-az${i + 1}` }))),
    roleExists: () => Promise.resolve(true),
  };
  return {
    config,
    region: 'eu-central-1',
    aws: () => aws,
    stageRequirements: () => {
      throw new Error('stageRequirements was not expected to be called');
    },
    artifacts: { pluginDistDir: missingFolder, jdbcJarDir: missingFolder },
    azSupport: AZ_SUPPORT,
    ...overrides,
  };
}

describe('runPreflight', () => {
  it('without a region reports the AWS checks as not checked, still checks the build artifacts, and synthesizes nothing', async () => {
    const results = await runPreflight(input({ region: undefined }));
    expect(results[0]?.status).toBe('fail');
    expect(results.slice(1, -1).every((r) => r.status === 'unknown')).toBe(true);
    expect(results.at(-1)?.name).toBe('Plugin zips and JDBC driver');
    expect(results.at(-1)?.status).toBe('fail');
    expect(formatSummary(results, 'dev')).toMatch(/^2 of \d+ checks failed/);
  });

  it('names the synth error on the checks that need the templates, with make setup when files are missing', async () => {
    const results = await runPreflight(
      input({
        stageRequirements: () => {
          throw new Error('MSK Connect plugin folder /x does not exist');
        },
      }),
    );
    const bootstrap = results.find((r) => r.name === 'CDK bootstrap');
    if (!bootstrap) throw new Error('no CDK bootstrap result');
    expect(formatResult(bootstrap)).toBe(
      '✗ CDK bootstrap: the stage does not synthesize: MSK Connect plugin folder /x does not exist. Fix: make setup',
    );
    expect(results.find((r) => r.name === 'Lambda concurrency quota')?.status).toBe('fail');
    // The checks that do not need the templates still ran.
    expect(results.find((r) => r.name === 'SFTP log-server secret')?.detail).toContain('does not exist');
  });

  it('passes the account and region it found to the synthesis', async () => {
    let synthEnv: unknown;
    await runPreflight(
      input({
        stageRequirements: (env) => {
          synthEnv = env;
          return {
            bootstrapParameterName: '/cdk-bootstrap/hnb659fds/version',
            minimumBootstrapVersion: 6,
            reservedConcurrency: [],
          };
        },
      }),
    );
    expect(synthEnv).toEqual({ account: '111111111111', region: 'eu-central-1' });
  });
});
