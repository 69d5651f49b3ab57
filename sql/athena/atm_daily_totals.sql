-- Completed ATM transactions per ATM and UTC day. Add "AND txn_date >= '...'" to read fewer partitions.
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    txn_date,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE channel = 'atm'
  AND status = 'completed'
GROUP BY atm_id, txn_date
ORDER BY txn_date, atm_id
