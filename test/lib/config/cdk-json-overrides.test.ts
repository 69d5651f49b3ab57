import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overridesEqualToDefaults, type StageOverrides } from '../../../lib/config/stage-overrides';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

/** cdk.json's `context.stages`, as committed (without the test fixtures other tests add). */
function cdkJsonStages(): StageOverrides {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: { stages: StageOverrides };
  };
  return cdkJson.context.stages;
}

describe('cdk.json stages', () => {
  it('hold only overrides: no key repeats its default from lib/config/stage-settings.ts', () => {
    const repeated = overridesEqualToDefaults(cdkJsonStages());
    expect(
      repeated,
      `remove these keys from cdk.json: they equal their defaults in lib/config/stage-settings.ts`,
    ).toEqual([]);
  });

  it('finds a repeated default, a derived one included, and leaves a real override alone', () => {
    const stages: StageOverrides = {
      qa: {
        network: { maxAzs: 3, natGateways: 0 },
        streaming: { sftpSecretName: 'qa/bankpipe/sftp-log-server', topicPartitions: 12 },
        liveAlerts: { enabled: true },
      },
    };
    expect(overridesEqualToDefaults(stages)).toEqual([
      'stages.qa.network.maxAzs',
      'stages.qa.streaming.sftpSecretName',
      'stages.qa.liveAlerts.enabled',
    ]);
  });
});
