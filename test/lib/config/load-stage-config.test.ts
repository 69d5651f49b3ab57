import { describe, expect, it } from 'vitest';
import { ConfigError, loadStageConfig } from '../../../lib/config';
import { cdkJsonContext } from '../../helpers/synth-pipeline';

/** A context reader over cdk.json's context with per-test overrides of whole keys. */
function contextWith(overrides: Record<string, unknown>): (key: string) => unknown {
  const context = { ...cdkJsonContext(), ...overrides };
  return (key) => context[key];
}

/** cdk.json stages with one stage's section replaced by a patched copy. */
function stagesWith(stage: string, patch: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const stages = structuredClone(cdkJsonContext().stages) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  const current = stages[stage] ?? {};
  for (const [section, values] of Object.entries(patch)) {
    current[section] = { ...(current[section] ?? {}), ...values };
  }
  stages[stage] = current;
  return stages;
}

function expectConfigError(read: (key: string) => unknown, key: string, messagePart: RegExp): void {
  let caught: unknown;
  try {
    loadStageConfig(read);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.key).toBe(key);
  expect(error.message).toMatch(messagePart);
  expect(error.message).toContain('Fix:');
}

describe('loadStageConfig', () => {
  it('loads dev with defaults and the cdk.json overrides', () => {
    const config = loadStageConfig(contextWith({ stage: 'dev' }));
    expect(config.stage).toBe('dev');
    expect(config.allowDestroy).toBe(false);
    expect(config.network.maxAzs).toBe(3);
    expect(config.streaming.brokerCount).toBe(3);
    // dev keeps no NAT gateway: its AWS API calls go through the endpoints (README, monthly cost).
    expect(config.network.natGateways).toBe(0);
    expect(config.warehouse.kind).toBe('serverless');
    expect(config.streaming.sftpSecretName).toBe('dev/bankpipe/sftp-log-server');
  });

  it('loads prod sized for three AZs with an alarm email', () => {
    const config = loadStageConfig(contextWith({ stage: 'prod' }));
    expect(config.network.maxAzs).toBe(3);
    expect(config.streaming.brokerCount).toBe(3);
    expect(config.monitoring.alarmEmail).toMatch(/@/);
  });

  it('defaults to dev when no stage is given', () => {
    expect(loadStageConfig(contextWith({ stage: undefined })).stage).toBe('dev');
  });

  it('turns on destroy only through the allowDestroy flag', () => {
    expect(loadStageConfig(contextWith({ stage: 'dev', allowDestroy: 'true' })).allowDestroy).toBe(true);
    expectConfigError(contextWith({ stage: 'dev', allowDestroy: 'yes' }), 'allowDestroy', /not a boolean/);
  });

  it('rejects an unknown stage and lists the known ones', () => {
    expectConfigError(
      contextWith({ stage: 'qa' }),
      'stage',
      /unknown stage "qa"; known stages are dev, prod/,
    );
  });

  it('rejects a malformed CIDR', () => {
    const stages = stagesWith('dev', { network: { vpcCidr: '10.40.0.0' } });
    expectConfigError(
      contextWith({ stage: 'dev', stages }),
      'stages.dev.network.vpcCidr',
      /not an IPv4 CIDR/,
    );
  });

  it('rejects a public CIDR', () => {
    const stages = stagesWith('dev', { network: { vpcCidr: '8.8.0.0/16' } });
    expectConfigError(contextWith({ stage: 'dev', stages }), 'stages.dev.network.vpcCidr', /not a private/);
  });

  it('rejects a CIDR with host bits or a wrong prefix', () => {
    expectConfigError(
      contextWith({ stage: 'dev', stages: stagesWith('dev', { network: { vpcCidr: '10.40.1.0/16' } }) }),
      'stages.dev.network.vpcCidr',
      /host bits/,
    );
    expectConfigError(
      contextWith({ stage: 'dev', stages: stagesWith('dev', { network: { vpcCidr: '10.0.0.0/8' } }) }),
      'stages.dev.network.vpcCidr',
      /\/8 prefix/,
    );
  });

  it('rejects a broker count that does not fit the AZs', () => {
    const stages = stagesWith('prod', { streaming: { brokerCount: 4 } });
    expectConfigError(
      contextWith({ stage: 'prod', stages }),
      'stages.prod.streaming.brokerCount',
      /4 brokers cannot be spread evenly over 3 availability zones/,
    );
  });

  it('requires an alarm email in prod', () => {
    const stages = stagesWith('prod', { monitoring: { alarmEmail: undefined } });
    expectConfigError(
      contextWith({ stage: 'prod', stages }),
      'stages.prod.monitoring.alarmEmail',
      /alarms would reach nobody/,
    );
  });

  it('accepts the prod alarm email from the command line', () => {
    const stages = stagesWith('prod', { monitoring: { alarmEmail: undefined } });
    const config = loadStageConfig(contextWith({ stage: 'prod', stages, alarmEmail: 'ops@bank.example' }));
    expect(config.monitoring.alarmEmail).toBe('ops@bank.example');
  });

  it('rejects a malformed alarm email', () => {
    expectConfigError(
      contextWith({ stage: 'dev', alarmEmail: 'not-an-email' }),
      'stages.dev.monitoring.alarmEmail',
      /not valid/,
    );
  });

  it('rejects Redshift Serverless over two availability zones', () => {
    const stages = stagesWith('dev', { network: { maxAzs: 2 }, streaming: { brokerCount: 2 } });
    expectConfigError(
      contextWith({ stage: 'dev', stages }),
      'stages.dev.warehouse.kind',
      /needs subnets in 3 availability zones/,
    );
  });

  it('accepts two availability zones with a provisioned warehouse', () => {
    const stages = stagesWith('dev', {
      // Unset endpoint list: the default set, with the provisioned warehouse's API.
      network: { maxAzs: 2, interfaceEndpoints: undefined },
      streaming: { brokerCount: 2 },
      warehouse: { kind: 'provisioned' },
    });
    expect(loadStageConfig(contextWith({ stage: 'dev', stages })).network.maxAzs).toBe(2);
  });

  it('rejects a typo in a setting name instead of ignoring it', () => {
    const stages = stagesWith('dev', { network: { maxAz: 3 } });
    expectConfigError(
      contextWith({ stage: 'dev', stages }),
      'stages.dev.network.maxAz',
      /not a known setting/,
    );
  });

  it('rejects a value of the wrong type', () => {
    const stages = stagesWith('dev', { streaming: { brokerCount: '2' } });
    expectConfigError(
      contextWith({ stage: 'dev', stages }),
      'stages.dev.streaming.brokerCount',
      /expected a number/,
    );
  });

  it.each([
    [{ network: { maxAzs: 4 } }, 'stages.dev.network.maxAzs'],
    [{ streaming: { connectMcuCount: 3 } }, 'stages.dev.streaming.connectMcuCount'],
    [{ streaming: { kafkaVersion: '2.8.1' } }, 'stages.dev.streaming.kafkaVersion'],
    [{ streaming: { topicName: 'bad topic' } }, 'stages.dev.streaming.topicName'],
    [{ processing: { emrReleaseLabel: 'emr-6.15.0' } }, 'stages.dev.processing.emrReleaseLabel'],
    [{ warehouse: { kind: 'dedicated' } }, 'stages.dev.warehouse.kind'],
    [{ warehouse: { baseCapacityRpu: 12 } }, 'stages.dev.warehouse.baseCapacityRpu'],
    [{ analytics: { athenaBytesScannedCutoff: 1000 } }, 'stages.dev.analytics.athenaBytesScannedCutoff'],
    [{ storage: { rawGlacierAfterDays: 30 } }, 'stages.dev.storage.rawGlacierAfterDays'],
    [{ orchestration: { logRetentionDays: 42 } }, 'stages.dev.orchestration.logRetentionDays'],
  ])('rejects %j naming %s', (patch, key) => {
    const stages = stagesWith('dev', patch as Record<string, Record<string, unknown>>);
    expectConfigError(contextWith({ stage: 'dev', stages }), key, /Invalid configuration/);
  });
});
