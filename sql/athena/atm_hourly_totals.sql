-- Completed ATM transactions per ATM, UTC day and hour of day. Add a txn_date filter to read fewer partitions.
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    txn_date,
    txn_hour,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE channel = 'atm'
  AND status = 'completed'
GROUP BY atm_id, txn_date, txn_hour
ORDER BY txn_date, txn_hour, atm_id
