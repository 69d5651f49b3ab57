import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadStageConfig, sftpReachabilityWarning } from '../../../lib/config';
import { repoPath } from '../../../lib/shared/repo-root';

function configWith(stage: string, natGateways: number, useTransferFamily: boolean) {
  const context: Record<string, unknown> = { stage, stages: { [stage]: {} } };
  const config = loadStageConfig((key) => context[key]);
  return {
    ...config,
    network: { ...config.network, natGateways },
    streaming: { ...config.streaming, useTransferFamily },
  };
}

describe('SFTP reachability warning', () => {
  it('names the keys and both fixes when an external log server has no route out of the VPC', () => {
    const warning = sftpReachabilityWarning(configWith('dev', 0, false));
    expect(warning).toContain("stage 'dev'");
    expect(warning).toContain('stages.dev.network.natGateways to 1');
    expect(warning).toContain('stages.dev.streaming.useTransferFamily to true');
  });

  it('warns for the dev stage as cdk.json configures it', () => {
    const context = JSON.parse(fs.readFileSync(repoPath('cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    };
    const dev = loadStageConfig((key) => ({ ...context.context, stage: 'dev' })[key]);
    expect(sftpReachabilityWarning(dev)).toBeDefined();
  });

  it('is silent with a NAT gateway or with Transfer Family', () => {
    expect(sftpReachabilityWarning(configWith('dev', 1, false))).toBeUndefined();
    expect(sftpReachabilityWarning(configWith('dev', 0, true))).toBeUndefined();
  });
});
