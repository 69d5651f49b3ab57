/**
 * The transaction contract's future limit (x-maxFutureMinutes on occurred_at) as the live parser
 * checks it when it loads. Nothing here imports the parser at the top: each test loads it itself with
 * the value under test, so a parser that fails to load fails these tests (Stryker's vitest runner
 * counts a test file that fails to import as one without tests; `make mutation`, docs/reliability.md).
 */
import { describe, expect, it, vi } from 'vitest';
import type transactionSchema from '../../../contracts/transaction.schema.json';

describe("the contract's future limit, checked when the parser loads", () => {
  const SCHEMA = '../../../contracts/transaction.schema.json';

  /** The parser module loaded with occurred_at's x-maxFutureMinutes set to `minutes`. */
  async function loadWith(
    minutes: unknown,
  ): Promise<typeof import('../../../lambda/live-alerts/fraud-rules/transaction')> {
    const actual = (await vi.importActual<{ default: typeof transactionSchema }>(SCHEMA)).default;
    const occurredAt = { ...actual.properties.occurred_at, 'x-maxFutureMinutes': minutes };
    vi.resetModules();
    vi.doMock(SCHEMA, () => ({
      default: { ...actual, properties: { ...actual.properties, occurred_at: occurredAt } },
    }));
    try {
      return await import('../../../lambda/live-alerts/fraud-rules/transaction');
    } finally {
      vi.doUnmock(SCHEMA);
      vi.resetModules();
    }
  }

  it('takes whole minutes from 0', async () => {
    expect((await loadWith(0)).MAX_FUTURE_MINUTES).toBe(0);
    expect((await loadWith(1)).MAX_FUTURE_MINUTES).toBe(1);
  });

  it.each([
    ['a negative number', -1, '-1'],
    ['a fraction', 1.5, '1.5'],
    ['text', '60', '"60"'],
    ['nothing', undefined, 'undefined'],
  ])('refuses %s, naming the key and the file', async (_what, minutes, shown) => {
    await expect(loadWith(minutes)).rejects.toThrow(
      new Error(
        'contracts/transaction.schema.json: x-maxFutureMinutes of property occurred_at must be a whole number ' +
          `of minutes >= 0 (how far after processing an event time may be); it is ${shown}`,
      ),
    );
  });
});
