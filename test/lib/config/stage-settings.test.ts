import { describe, expect, it } from 'vitest';
import { defaultOf, type Setting } from '../../../lib/config/setting';
import { STAGE_SETTINGS } from '../../../lib/config/stage-settings';
import { schemaEntries, settingKey } from '../../../lib/config/validate-stage-config';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { loadErrorOf } from '../../helpers/config-error';

/** cdk.json's context for `stage` with one section's keys patched (undefined: unset). */
function contextWith(
  stage: string,
  section: string,
  values: Record<string, unknown>,
): (key: string) => unknown {
  const context = structuredClone(cdkJsonContext()) as Record<string, unknown>;
  const stages = context.stages as Record<string, Record<string, Record<string, unknown>>>;
  stages[stage] = { ...stages[stage], [section]: { ...(stages[stage]?.[section] ?? {}), ...values } };
  return (key) => (key === 'stage' ? stage : context[key]);
}

describe('the stage settings schema', () => {
  it.each(schemaEntries().map(({ section, key, entry }) => [`${section}.${key}`, entry] as const))(
    '%s has a meaning, a rule, and a default that passes its own rule',
    (_, entry) => {
      expect(entry.meaning).toMatch(/^[A-Z].*[^.]$/);
      expect(entry.rule).not.toBe('');
      if (entry.optional) {
        expect(entry.unset).toBeTruthy();
        expect(entry.default).toBeUndefined();
      } else {
        for (const stage of ['dev', 'prod', 'qa']) {
          expect(() =>
            entry.check(settingKey(stage, 'section', 'key'), defaultOf(entry, stage)),
          ).not.toThrow();
        }
      }
    },
  );

  it('derives a default from the stage name where the entry says so', () => {
    const secret = STAGE_SETTINGS.streaming.sftpSecretName as Setting<string>;
    expect(defaultOf(secret, 'qa')).toMatch(/^qa\/.+\/sftp-log-server$/);
    expect(defaultOf(secret, 'qa')).not.toBe(defaultOf(secret, 'dev'));
  });

  it('checks every value alone before a cross-key rule reads it', () => {
    // An unknown warehouse kind would otherwise reach the endpoint list's rule, which asks
    // for the provisioned API's endpoint, and the error would name the wrong key.
    const error = loadErrorOf(contextWith('dev', 'warehouse', { kind: 'dedicated' }));
    expect(error.key).toBe('stages.dev.warehouse.kind');
    expect(error.message).toContain(`"dedicated" is not allowed. Fix: use 'serverless' or 'provisioned'`);
  });

  it.each([
    ['processing', 'primaryInstanceType', 'm7g xlarge', "such as 'm7g.xlarge'"],
    ['processing', 'coreInstanceType', 'xlarge', "such as 'm7g.xlarge'"],
    ['warehouse', 'nodeType', 'ra3', "such as 'ra3.large'"],
    ['warehouse', 'baseCapacityRpu', 12, 'Fix: use 8, 16, 24, ... 512 RPUs'],
    ['network', 'natGateways', 4, 'Fix: set it to a value from 0 to 3'],
  ])('rejects %s.%s = %j with the fix', (section, key, value, fix) => {
    const error = loadErrorOf(contextWith('dev', section, { [key]: value }));
    expect(error.key).toBe(`stages.dev.${section}.${key}`);
    expect(error.message).toContain(`${JSON.stringify(value)} is not`);
    expect(error.message).toContain(fix);
  });

  it('refuses a value of the wrong JSON type for an optional setting too', () => {
    const error = loadErrorOf(contextWith('dev', 'network', { endpointAzCount: '1' }));
    expect(error.key).toBe('stages.dev.network.endpointAzCount');
    expect(error.message).toContain('expected a number, got "1". Fix: set it to a number');
  });

  it('names the known sections when cdk.json has an unknown one', () => {
    const error = loadErrorOf(contextWith('dev', 'netwrok', { maxAzs: 3 }));
    expect(error.key).toBe('stages.dev.netwrok');
    expect(error.message).toContain(`use one of: ${Object.keys(STAGE_SETTINGS).join(', ')}`);
  });
});
