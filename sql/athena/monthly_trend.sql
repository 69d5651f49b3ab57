-- Completed transactions per calendar month (UTC): count and total amount.
SELECT
    year,
    month,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY year, month
ORDER BY year, month
