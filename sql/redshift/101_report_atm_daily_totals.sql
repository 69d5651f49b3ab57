-- Report atm_daily_totals: Completed ATM transactions per ATM and UTC day. Add "AND txn_date >= '...'" to read fewer partitions.
-- generated from sql/reports/atm_daily_totals.sql by `make reports`; do not edit
-- An ATM is identified by atm_id; its location and city are the greatest value seen in the group
-- (stable when an ATM's address text changes).
-- mv_atm_daily_totals holds the data (refreshed after each load); v_atm_daily_totals is the stable name
-- readers and grants use. Drop order matters: the view depends on the materialized view.
DROP VIEW IF EXISTS banking.v_atm_daily_totals;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_atm_daily_totals;
CREATE MATERIALIZED VIEW banking.mv_atm_daily_totals AS
SELECT
  atm_id,
  MAX(atm_location) AS atm_location,
  MAX(city) AS city,
  CAST(txn_date AS DATE) AS txn_date,
  CAST(COUNT(*) AS BIGINT) AS txn_count,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount
FROM banking.transactions
WHERE
  channel = 'atm' AND status = 'completed'
GROUP BY
  atm_id,
  txn_date;
CREATE VIEW banking.v_atm_daily_totals AS
SELECT atm_id, atm_location, city, txn_date, txn_count, total_amount
FROM banking.mv_atm_daily_totals;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_atm_daily_totals, banking.v_atm_daily_totals TO GROUP bank_reporting;
