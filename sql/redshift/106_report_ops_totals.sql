-- Report ops_totals: Completed transactions per operation: count and total amount, largest total first.
-- generated from sql/reports/ops_totals.sql by `make reports`; do not edit
-- mv_ops_totals holds the data (refreshed after each load); v_ops_totals is the stable name
-- readers and grants use. Drop order matters: the view depends on the materialized view.
DROP VIEW IF EXISTS banking.v_ops_totals;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_ops_totals;
CREATE MATERIALIZED VIEW banking.mv_ops_totals AS
SELECT
  operation,
  CAST(COUNT(*) AS BIGINT) AS txn_count,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM banking.transactions
WHERE
  status = 'completed'
GROUP BY
  operation;
CREATE VIEW banking.v_ops_totals AS
SELECT operation, txn_count, total_amount
FROM banking.mv_ops_totals;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_ops_totals, banking.v_ops_totals TO GROUP bank_reporting;
