-- Completed transactions per calendar year (UTC): count and total amount.
SELECT
    year,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY year
ORDER BY year
