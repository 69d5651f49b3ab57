-- Completed transactions per calendar year (UTC): count and total amount.
-- generated from sql/reports/yearly_trend.sql by `make reports`; do not edit
SELECT
  CAST(year AS INTEGER) AS year,
  CAST(COUNT(*) AS BIGINT) AS txn_count,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE
  status = 'completed'
GROUP BY
  year
ORDER BY
  year
