import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../../lib/config';
import { defaultStageSettings } from '../../../lib/config/defaults';
import { loadFraudRules, longestWindowSeconds } from '../../../lambda/live-alerts/fraud-rules';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { loadErrorOf } from '../../helpers/config-error';

const RULES = loadFraudRules();
/** The shortest card-state TTL the fraud rules allow, from contracts/fraud-rules.json. */
const MIN_STATE_TTL_HOURS = Math.ceil(
  (longestWindowSeconds(RULES) + RULES.outOfOrderToleranceSeconds) / 3600,
);

/** cdk.json's context with `liveAlerts.<name>` of one stage set to `value`. */
function contextWith(stage: string, name: string, value: unknown): (key: string) => unknown {
  const context = structuredClone(cdkJsonContext()) as Record<string, unknown>;
  const stages = context.stages as Record<string, Record<string, Record<string, unknown>>>;
  stages[stage] = {
    ...(stages[stage] ?? {}),
    liveAlerts: { ...(stages[stage]?.liveAlerts ?? {}), [name]: value },
  };
  return (key) => (key === 'stage' ? stage : context[key]);
}

describe('liveAlerts settings', () => {
  it('default to a deployed consumer with a 1 s batching window, 48 h of card history and 5 retries', () => {
    expect(defaultStageSettings('dev').liveAlerts).toEqual({
      enabled: true,
      batchingWindowSeconds: 1,
      stateTtlHours: 48,
      retryAttempts: 5,
    });
    const context = cdkJsonContext();
    expect(loadStageConfig((key) => (key === 'stage' ? 'prod' : context[key])).liveAlerts.enabled).toBe(true);
  });

  it('take a stage value within range', () => {
    expect(loadStageConfig(contextWith('prod', 'enabled', false)).liveAlerts.enabled).toBe(false);
    expect(
      loadStageConfig(contextWith('dev', 'batchingWindowSeconds', 0)).liveAlerts.batchingWindowSeconds,
    ).toBe(0);
    expect(loadStageConfig(contextWith('prod', 'stateTtlHours', 720)).liveAlerts.stateTtlHours).toBe(720);
  });

  it('refuses the consumer in a stage whose endpoint list leaves out SNS (dev lists only what its clients call)', () => {
    const error = loadErrorOf(contextWith('dev', 'enabled', true));
    expect(error.key).toBe('stages.dev.network.interfaceEndpoints');
    expect(error.message).toContain('the live-alerts Lambda needs the "sns" endpoint');
  });

  it.each([
    ['batchingWindowSeconds', 301, 'from 0 to 300'],
    ['batchingWindowSeconds', 0.5, 'from 0 to 300'],
    ['stateTtlHours', 0, `from ${MIN_STATE_TTL_HOURS} to 720`],
    // One hour short of the longest rule window plus the out-of-order tolerance would lose history.
    ['stateTtlHours', MIN_STATE_TTL_HOURS - 1, `from ${MIN_STATE_TTL_HOURS} to 720`],
    ['retryAttempts', 11, 'from 0 to 10'],
  ])('rejects %s = %j, naming the key and the range', (name, value, range) => {
    const error = loadErrorOf(contextWith('dev', name, value));
    expect(error.key).toBe(`stages.dev.liveAlerts.${name}`);
    expect(error.message).toContain(`${JSON.stringify(value)} is not a whole number ${range}`);
  });

  it('rejects an unknown key in the section', () => {
    const error = loadErrorOf(contextWith('dev', 'batchWindow', 1));
    expect(error.key).toBe('stages.dev.liveAlerts.batchWindow');
    expect(error.message).toContain('batchingWindowSeconds');
  });
});
