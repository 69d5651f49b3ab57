-- Completed transactions per client age band and gender ('unknown' when missing): count and total amount.
SELECT
    COALESCE(age_band, 'unknown') AS age_band,
    COALESCE(gender, 'unknown') AS gender,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY COALESCE(age_band, 'unknown'), COALESCE(gender, 'unknown')
ORDER BY 1, 2
