-- Report monthly_trend: Completed transactions per calendar month (UTC): count and total amount.
-- generated from sql/reports/monthly_trend.sql by `make reports`; do not edit
-- mv_monthly_trend holds the data (refreshed after each load); v_monthly_trend is the stable name
-- readers and grants use. Drop order matters: the view depends on the materialized view.
DROP VIEW IF EXISTS banking.v_monthly_trend;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_monthly_trend;
CREATE MATERIALIZED VIEW banking.mv_monthly_trend AS
SELECT
  CAST(year AS INTEGER) AS year,
  CAST(month AS INTEGER) AS month,
  CAST(COUNT(*) AS BIGINT) AS txn_count,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM banking.transactions
WHERE
  status = 'completed'
GROUP BY
  year,
  month;
CREATE VIEW banking.v_monthly_trend AS
SELECT year, month, txn_count, total_amount
FROM banking.mv_monthly_trend;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_monthly_trend, banking.v_monthly_trend TO GROUP bank_reporting;
