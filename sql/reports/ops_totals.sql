-- Completed transactions per operation: count and total amount, largest total first.
-- grain: operation
-- demo: table txn_count, total_amount by operation order by txn_count desc, operation
SELECT
    operation,
    CAST(COUNT(*) AS BIGINT) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY operation
ORDER BY total_amount DESC, operation
