-- Completed ATM transactions per ATM, UTC day and hour of day. Add a txn_date filter to read fewer partitions.
-- grain: atm_id, txn_date, txn_hour
-- demo: columns sum(txn_count) by txn_hour
-- An ATM is identified by atm_id; its location and city are the greatest value seen in the group
-- (stable when an ATM's address text changes).
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    CAST(txn_date AS DATE) AS txn_date,
    CAST(txn_hour AS INTEGER) AS txn_hour,
    CAST(COUNT(*) AS BIGINT) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE channel = 'atm' AND status = 'completed'
GROUP BY atm_id, txn_date, txn_hour
ORDER BY txn_date, txn_hour, atm_id
