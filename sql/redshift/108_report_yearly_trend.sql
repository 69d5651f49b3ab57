-- Report yearly_trend: Completed transactions per calendar year (UTC): count and total amount.
-- generated from sql/reports/yearly_trend.sql by `make reports`; do not edit
-- mv_yearly_trend holds the data (refreshed after each load); v_yearly_trend is the stable name
-- readers and grants use. Drop order matters: the view depends on the materialized view.
DROP VIEW IF EXISTS banking.v_yearly_trend;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_yearly_trend;
CREATE MATERIALIZED VIEW banking.mv_yearly_trend AS
SELECT
  CAST(year AS INTEGER) AS year,
  CAST(COUNT(*) AS BIGINT) AS txn_count,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM banking.transactions
WHERE
  status = 'completed'
GROUP BY
  year;
CREATE VIEW banking.v_yearly_trend AS
SELECT year, txn_count, total_amount
FROM banking.mv_yearly_trend;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_yearly_trend, banking.v_yearly_trend TO GROUP bank_reporting;
