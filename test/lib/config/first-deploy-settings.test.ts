import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../../lib/config';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { configErrorOf } from '../../helpers/config-error';

/** The loader reading cdk.json with one stage's sections patched. */
function load(stage: string, patch: Record<string, Record<string, unknown>>) {
  const context = cdkJsonContext();
  const stages = structuredClone(context.stages) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [section, values] of Object.entries(patch)) {
    stages[stage] = { ...stages[stage], [section]: { ...(stages[stage]?.[section] ?? {}), ...values } };
  }
  const read: Record<string, unknown> = { ...context, stages, stage };
  return loadStageConfig((key) => read[key]);
}

describe('network.availabilityZones', () => {
  it('is unset by default, so the VPC keeps taking the region’s first zones', () => {
    expect(load('dev', {}).network.availabilityZones).toBeUndefined();
    expect(load('prod', {}).network.availabilityZones).toBeUndefined();
  });

  it.each([
    [['euc1-az2', 'euc1-az3', 'euc1-az1']],
    [['eu-central-1a', 'eu-central-1b', 'eu-central-1c']],
    [['use1-az4', 'use1-az6', 'use1-az1']],
    [['us-gov-west-1a', 'us-gov-west-1b', 'us-gov-west-1c']],
  ])('accepts %j', (zones) => {
    expect(load('dev', { network: { availabilityZones: zones } }).network.availabilityZones).toEqual(zones);
  });

  it.each([
    [['euc1-az1', 'eu-central-1b', 'euc1-az3'], /mixes zone names and zone IDs/, /only zone IDs/],
    [['euc1-az1', 'euc1-az2', 'euc1-az1'], /euc1-az1 is listed more than once/, /list each zone once/],
    [
      ['euc1-az1', 'euc1-az2'],
      /lists 2 zones but network.maxAzs is 3/,
      /list exactly 3 zones, or set network.maxAzs to 2/,
    ],
    [
      ['euc1-az1', 'euc1-az2', 'frankfurt'],
      /"frankfurt" is neither a zone name nor a zone ID/,
      /zone IDs like "euc1-az2"/,
    ],
    [['eu-central-1a', 'eu-west-1b', 'eu-central-1c'], /more than one region/, /region the stage deploys to/],
    ['euc1-az1', /is not a list/, /write it as a list/],
    [[1, 2, 3], /is not a list of zone names or IDs/, /write it as a list/],
  ])('rejects %j, naming the key and the fix', (zones, problem, fix) => {
    const error = configErrorOf(() => load('dev', { network: { availabilityZones: zones } }));
    expect(error.key).toBe('stages.dev.network.availabilityZones');
    expect(error.message).toMatch(problem);
    expect(error.message.split('Fix:')[1]).toMatch(fix);
  });

  it('follows maxAzs: two zones are right for a two-zone stage', () => {
    const config = load('dev', {
      // Unset endpoint list: the default set, with the provisioned warehouse's API.
      network: { maxAzs: 2, availabilityZones: ['euc1-az1', 'euc1-az3'], interfaceEndpoints: undefined },
      streaming: { brokerCount: 2 },
      warehouse: { kind: 'provisioned' },
    });
    expect(config.network.availabilityZones).toEqual(['euc1-az1', 'euc1-az3']);
  });
});

describe('orchestration.reservedConcurrency', () => {
  it('is off in dev (a new account’s quota leaves nothing to reserve) and on in prod', () => {
    expect(load('dev', {}).orchestration.reservedConcurrency).toBe(false);
    expect(load('prod', {}).orchestration.reservedConcurrency).toBe(true);
  });

  it('must be a boolean', () => {
    const error = configErrorOf(() => load('dev', { orchestration: { reservedConcurrency: 'yes' } }));
    expect(error.key).toBe('stages.dev.orchestration.reservedConcurrency');
    expect(error.message).toMatch(/expected a boolean/);
  });
});
