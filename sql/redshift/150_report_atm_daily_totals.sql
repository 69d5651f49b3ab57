-- Report atm_daily_totals: completed ATM transactions per ATM and UTC day.
-- An ATM is identified by atm_id; its location and city are the greatest value seen in the group
-- (stable when an ATM's address text changes), as in the ATM job's report table.
-- mv_ holds the data (refreshed after each load); v_ is the stable name for readers.
DROP VIEW IF EXISTS banking.v_atm_daily_totals;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_atm_daily_totals;
CREATE MATERIALIZED VIEW banking.mv_atm_daily_totals AS
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    txn_date,
    COUNT(*) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38,2)) AS total_amount
FROM banking.transactions
WHERE channel = 'atm'
  AND status = 'completed'
GROUP BY atm_id, txn_date;
CREATE VIEW banking.v_atm_daily_totals AS
SELECT atm_id, atm_location, city, txn_date, txn_count, total_amount
FROM banking.mv_atm_daily_totals;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_atm_daily_totals, banking.v_atm_daily_totals TO GROUP bank_reporting;
