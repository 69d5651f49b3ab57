import { describe, expect, it } from 'vitest';
import {
  endpointAzCountOf,
  INTERFACE_ENDPOINT_NAMES,
  interfaceEndpointNeeds,
  interfaceEndpointsOf,
  loadStageConfig,
} from '../../../lib/config';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { loadErrorOf } from '../../helpers/config-error';

/** cdk.json's context with some `network` keys of one stage replaced (undefined: removed). */
function contextWithNetwork(stage: string, network: Record<string, unknown>): (key: string) => unknown {
  const context = structuredClone(cdkJsonContext()) as Record<string, unknown>;
  const stages = context.stages as Record<string, Record<string, Record<string, unknown>>>;
  const merged = Object.entries({ ...(stages[stage]?.network ?? {}), ...network }).filter(
    ([, value]) => value !== undefined,
  );
  stages[stage] = { ...(stages[stage] ?? {}), network: Object.fromEntries(merged) };
  return (key) => (key === 'stage' ? stage : context[key]);
}

describe('network.interfaceEndpoints and network.endpointAzCount', () => {
  it('gives a stage that sets neither every endpoint but the other warehouse API, in every zone', () => {
    const config = loadStageConfig(
      contextWithNetwork('prod', { interfaceEndpoints: undefined, endpointAzCount: undefined }),
    );
    const endpoints = interfaceEndpointsOf(config.network, config.warehouse.kind);
    expect(endpoints).toHaveLength(15);
    expect(endpoints).toContain('redshift-serverless');
    expect(endpoints).not.toContain('redshift');
    expect(endpointAzCountOf(config.network)).toBe(config.network.maxAzs);
  });

  it('keeps dev at the endpoints its clients need, in one zone, and prod at the default set', () => {
    const dev = loadStageConfig(contextWithNetwork('dev', {}));
    const needed = new Set(interfaceEndpointNeeds(dev).map((need) => need.endpoint));
    expect(new Set(interfaceEndpointsOf(dev.network, dev.warehouse.kind))).toEqual(needed);
    expect(endpointAzCountOf(dev.network)).toBe(1);
    const prod = loadStageConfig(contextWithNetwork('prod', {}));
    expect(prod.network.interfaceEndpoints).toBeUndefined();
    expect(endpointAzCountOf(prod.network)).toBe(3);
  });

  it('names the client and the endpoint when a list leaves out one a client needs', () => {
    const withoutSecrets = INTERFACE_ENDPOINT_NAMES.filter((name) => name !== 'secretsmanager');
    const error = loadErrorOf(contextWithNetwork('dev', { interfaceEndpoints: withoutSecrets }));
    expect(error.key).toBe('stages.dev.network.interfaceEndpoints');
    expect(error.message).toContain('the MSK Connect SFTP source needs the "secretsmanager" endpoint');
    expect(error.message).toContain('Fix: add "secretsmanager" to the list');
  });

  it('asks for the live-alerts endpoints only in a stage that turns live alerts on', () => {
    const context = contextWithNetwork('dev', {});
    const withAlerts = (key: string): unknown => {
      const value = context(key);
      if (key !== 'stages') return value;
      const stages = structuredClone(value) as Record<string, Record<string, unknown>>;
      stages.dev = { ...stages.dev, liveAlerts: { enabled: true } };
      return stages;
    };
    expect(loadErrorOf(withAlerts).message).toContain('the live-alerts Lambda needs the "sns" endpoint');
    expect(loadStageConfig(context).liveAlerts.enabled).toBe(false);
  });

  it('asks for the provisioned warehouse API when the warehouse is provisioned', () => {
    const context = contextWithNetwork('dev', {});
    const read = (key: string): unknown => {
      const value = context(key);
      if (key !== 'stages') return value;
      const stages = structuredClone(value) as Record<string, Record<string, unknown>>;
      stages.dev = { ...stages.dev, warehouse: { kind: 'provisioned' } };
      return stages;
    };
    expect(loadErrorOf(read).message).toContain('needs the "redshift" endpoint');
  });

  it.each([
    [['kms', 'kms'], '"kms" is listed twice'],
    [['kms', 's3'], '"s3" is not an interface endpoint this app knows'],
    ['kms', '"kms" is not a list'],
  ])('rejects %j', (list, message) => {
    const error = loadErrorOf(contextWithNetwork('dev', { interfaceEndpoints: list }));
    expect(error.key).toBe('stages.dev.network.interfaceEndpoints');
    expect(error.message).toContain(message);
  });

  it.each([0, 4, 1.5])('rejects endpointAzCount %j, with the range to use', (value) => {
    const error = loadErrorOf(contextWithNetwork('dev', { endpointAzCount: value }));
    expect(error.key).toBe('stages.dev.network.endpointAzCount');
    expect(error.message).toContain('Fix: set it to a value from 1 to 3');
  });
});
