-- Completed transactions per operation: count and total amount, largest total first.
SELECT
    operation,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE status = 'completed'
GROUP BY operation
ORDER BY total_amount DESC, operation
