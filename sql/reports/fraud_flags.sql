-- Transactions flagged by the ATM job's fraud rules, newest first, with how many rules flagged each one.
-- grain: transaction_id, rule
-- rows from: bankpipe.fraud
-- demo: table count(*) by rule
-- demo: bars count(*) by rule
-- The ATM job writes this report table with the fraud rules (Spark code, not SQL); the query reads
-- that table, so it is an Athena named query only, with no warehouse view.
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
