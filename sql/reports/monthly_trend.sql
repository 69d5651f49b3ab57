-- Completed transactions per calendar month (UTC): count and total amount.
-- grain: year, month
-- demo: table txn_count, total_amount by year, month
-- demo: table txn_count, total_amount by year, month on athena
-- demo: bars txn_count by year, month
-- demo: bars total_amount by year, month
SELECT
    CAST(year AS INTEGER) AS year,
    CAST(month AS INTEGER) AS month,
    CAST(COUNT(*) AS BIGINT) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY year, month
ORDER BY year, month
