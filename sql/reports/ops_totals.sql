-- Completed transactions per operation: count and total amount, largest total first.
-- grain: operation
SELECT
    operation,
    CAST(COUNT(*) AS BIGINT) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY operation
ORDER BY total_amount DESC, operation
