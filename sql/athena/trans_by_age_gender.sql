-- Completed transactions per client age band and gender ('unknown' when missing): count and total amount.
-- generated from sql/reports/trans_by_age_gender.sql by `make reports`; do not edit
-- Rows without a known customer count as 'unknown', so the totals equal the trend totals. The ATM
-- job rewrites this report only when a stored transaction has a gender (it was given a customer file).
SELECT
  COALESCE(age_band, 'unknown') AS age_band,
  COALESCE(gender, 'unknown') AS gender,
  CAST(COUNT(*) AS BIGINT) AS txn_count,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM transactions
WHERE
  status = 'completed'
GROUP BY
  COALESCE(age_band, 'unknown'),
  COALESCE(gender, 'unknown')
ORDER BY
  1,
  2
