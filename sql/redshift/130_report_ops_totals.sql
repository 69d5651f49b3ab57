-- Report ops_totals: completed transactions per operation (cash_withdrawal, transfer_in, ...).
-- mv_ holds the data (refreshed after each load); v_ is the stable name for readers.
DROP VIEW IF EXISTS banking.v_ops_totals;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_ops_totals;
CREATE MATERIALIZED VIEW banking.mv_ops_totals AS
SELECT
    operation,
    COUNT(*) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38,2)) AS total_amount
FROM banking.transactions
WHERE status = 'completed'
GROUP BY operation;
CREATE VIEW banking.v_ops_totals AS
SELECT operation, txn_count, total_amount
FROM banking.mv_ops_totals;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_ops_totals, banking.v_ops_totals TO GROUP bank_reporting;
