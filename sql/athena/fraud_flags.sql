-- Transactions flagged by the ATM job's fraud rules (report table fraud_flags), newest first, with how
-- many rules flagged each transaction.
SELECT
    transaction_id,
    account_id,
    card_id,
    occurred_at,
    rule,
    detail,
    COUNT(*) OVER (PARTITION BY transaction_id) AS rules_hit
FROM fraud_flags
ORDER BY occurred_at DESC, transaction_id, rule
