-- Completed transactions per client age band and gender (NULL = unknown): count and total amount.
SELECT
    age_band,
    gender,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY age_band, gender
ORDER BY age_band, gender
