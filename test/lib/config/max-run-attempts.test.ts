import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../../lib/config';
import { defaultStageSettings } from '../../../lib/config/defaults';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { loadErrorOf } from '../../helpers/config-error';

/** cdk.json's context with `orchestration.maxRunAttempts` of one stage set to `value` (undefined: not set). */
function contextWithAttempts(stage: string, value: unknown): (key: string) => unknown {
  const context = structuredClone(cdkJsonContext()) as Record<string, unknown>;
  const stages = context.stages as Record<string, Record<string, Record<string, unknown>>>;
  const orchestration = { ...(stages[stage]?.orchestration ?? {}) };
  if (value === undefined) delete orchestration.maxRunAttempts;
  else orchestration.maxRunAttempts = value;
  stages[stage] = { ...(stages[stage] ?? {}), orchestration };
  return (key) => (key === 'stage' ? stage : context[key]);
}

describe('orchestration.maxRunAttempts', () => {
  it('defaults to 3 in every stage that does not set it', () => {
    expect(defaultStageSettings('dev').orchestration.maxRunAttempts).toBe(3);
    for (const stage of ['dev', 'prod']) {
      expect(loadStageConfig(contextWithAttempts(stage, undefined)).orchestration.maxRunAttempts).toBe(3);
    }
  });

  it('takes a stage value from 1 (no automatic retries) to 10', () => {
    expect(loadStageConfig(contextWithAttempts('dev', 1)).orchestration.maxRunAttempts).toBe(1);
    expect(loadStageConfig(contextWithAttempts('prod', 10)).orchestration.maxRunAttempts).toBe(10);
  });

  it.each([0, 11, 2.5])('rejects %j, naming the key and the range to use', (value) => {
    const error = loadErrorOf(contextWithAttempts('dev', value));
    expect(error.key).toBe('stages.dev.orchestration.maxRunAttempts');
    expect(error.message).toContain(`${JSON.stringify(value)} is not a whole number from 1 to 10`);
    expect(error.message).toMatch(/Fix: set it to a value from 1 to 10 \(.*1 turns automatic retries off\)/);
  });

  it('rejects a value that is not a number before its range is checked', () => {
    const error = loadErrorOf(contextWithAttempts('prod', '3'));
    expect(error.key).toBe('stages.prod.orchestration.maxRunAttempts');
    expect(error.message).toMatch(/expected a number, got "3"\. Fix: set it to a number/);
  });
});
