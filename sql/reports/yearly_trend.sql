-- Completed transactions per calendar year (UTC): count and total amount.
-- grain: year
SELECT
    CAST(year AS INTEGER) AS year,
    CAST(COUNT(*) AS BIGINT) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY year
ORDER BY year
