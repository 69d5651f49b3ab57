/**
 * A contract-valid transaction line (contracts/transaction.schema.json) for tests that feed the
 * live-alerts consumer or its bundle: an approved ATM cash withdrawal of 500 CZK on card-1 at
 * atm-1 in Prague. Tests change only the fields their case is about.
 */
export function atmWithdrawalLine(
  transactionId: string,
  occurredAt: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    transaction_id: transactionId,
    account_id: 'a-1',
    card_id: 'card-1',
    occurred_at: occurredAt,
    type: 'debit',
    operation: 'cash_withdrawal',
    amount: '500.00',
    currency: 'CZK',
    channel: 'atm',
    status: 'completed',
    atm_id: 'atm-1',
    atm_location: 'Square 1',
    city: 'Prague',
    country: 'CZ',
    latitude: 50.08,
    longitude: 14.42,
    ...overrides,
  };
}
