/**
 * The live parser refuses event times past the contract's future limit exactly where the ATM job
 * quarantines them (future_timestamp:occurred_at): later than now + x-maxFutureMinutes, to the
 * millisecond, in any offset.
 */
import { describe, expect, it } from 'vitest';
import transactionSchema from '../../../contracts/transaction.schema.json';
import { parseTransactionLine } from '../../../lambda/live-alerts/fraud-rules';
import { MAX_FUTURE_MINUTES } from '../../../lambda/live-alerts/fraud-rules/transaction';
import { topicLine } from './topic-line';

const NOW = Date.parse('2024-06-01T00:00:00.000Z');

function atmLine(occurredAt: string): string {
  return topicLine({ occurred_at: occurredAt });
}

describe('the future limit of occurred_at', () => {
  it('is the contract value the ATM job reads (x-maxFutureMinutes on occurred_at)', () => {
    expect(MAX_FUTURE_MINUTES).toBe(transactionSchema.properties.occurred_at['x-maxFutureMinutes']);
    expect(MAX_FUTURE_MINUTES).toBe(60);
  });

  it.each([
    ['2024-06-01T01:00:00Z', true],
    ['2024-06-01T01:00:00.000Z', true],
    ['2024-06-01T01:00:00.001Z', false],
    ['2024-06-01T03:00:00+02:00', true],
    ['2024-06-01T03:00:00.001+02:00', false],
    ['2024-05-31T23:00:00.001-02:00', false],
    ['2090-01-01T00:00:00Z', false],
    ['2024-05-01T00:00:00Z', true],
  ])('%s at 2024-06-01T00:00Z: accepted %s', (occurredAt, accepted) => {
    const parsed = parseTransactionLine(atmLine(occurredAt), NOW);
    expect(parsed.ok).toBe(accepted);
    if (!parsed.ok) {
      expect(parsed).toMatchObject({ kind: 'invalid' });
      expect(parsed.reason).toContain(
        `more than ${MAX_FUTURE_MINUTES} minutes after 2024-06-01T00:00:00.000Z`,
      );
    }
  });

  it('counts from the clock when no time is given', () => {
    const inAnHourAndAMinute = new Date(Date.now() + 61 * 60_000).toISOString();
    const inFiftyNineMinutes = new Date(Date.now() + 59 * 60_000).toISOString();
    expect(parseTransactionLine(atmLine(inAnHourAndAMinute)).ok).toBe(false);
    expect(parseTransactionLine(atmLine(inFiftyNineMinutes)).ok).toBe(true);
  });
});
