-- Completed ATM transactions per ATM and UTC day. Add "AND txn_date >= '...'" to read fewer partitions.
-- grain: atm_id, txn_date
-- An ATM is identified by atm_id; its location and city are the greatest value seen in the group
-- (stable when an ATM's address text changes).
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    CAST(txn_date AS DATE) AS txn_date,
    CAST(COUNT(*) AS BIGINT) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE channel = 'atm' AND status = 'completed'
GROUP BY atm_id, txn_date
ORDER BY txn_date, atm_id
