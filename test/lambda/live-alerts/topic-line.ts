/**
 * One line of the transactions topic for the live parser's tests: a valid ATM withdrawal of card C1
 * at 2024-01-05T10:00:00.123Z (written with a +01:00 offset and nanoseconds), with `values` replacing
 * fields and `drop` removing them.
 */
export function topicLine(values: Record<string, unknown> = {}, drop: readonly string[] = []): string {
  const row: Record<string, unknown> = {
    transaction_id: 'T1',
    account_id: 'ACC1',
    occurred_at: '2024-01-05T11:00:00.123456789+01:00',
    type: 'debit',
    operation: 'cash_withdrawal',
    amount: '20000.5',
    currency: 'CZK',
    channel: 'atm',
    status: 'completed',
    atm_id: 'ATM-1',
    atm_location: 'Square 1',
    city: 'Prague',
    country: 'CZ',
    latitude: 50.08,
    longitude: 14.42,
    card_id: 'C1',
    ...values,
  };
  return JSON.stringify(Object.fromEntries(Object.entries(row).filter(([key]) => !drop.includes(key))));
}
