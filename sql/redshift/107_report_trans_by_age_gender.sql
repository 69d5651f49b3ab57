-- Report trans_by_age_gender: Completed transactions per client age band and gender ('unknown' when missing): count and total amount.
-- generated from sql/reports/trans_by_age_gender.sql by `make reports`; do not edit
-- Rows without a known customer count as 'unknown', so the totals equal the trend totals. The ATM
-- job rewrites this report only when a stored transaction has a gender (it was given a customer file).
-- mv_trans_by_age_gender holds the data (refreshed after each load); v_trans_by_age_gender is the stable name
-- readers and grants use. Drop order matters: the view depends on the materialized view.
DROP VIEW IF EXISTS banking.v_trans_by_age_gender;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_trans_by_age_gender;
CREATE MATERIALIZED VIEW banking.mv_trans_by_age_gender AS
SELECT
  COALESCE(age_band, 'unknown') AS age_band,
  COALESCE(gender, 'unknown') AS gender,
  CAST(COUNT(*) AS BIGINT) AS txn_count,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM banking.transactions
WHERE
  status = 'completed'
GROUP BY
  COALESCE(age_band, 'unknown'),
  COALESCE(gender, 'unknown');
CREATE VIEW banking.v_trans_by_age_gender AS
SELECT age_band, gender, txn_count, total_amount
FROM banking.mv_trans_by_age_gender;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_trans_by_age_gender, banking.v_trans_by_age_gender TO GROUP bank_reporting;
