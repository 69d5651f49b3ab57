-- Report atm_failure_rates: Share of ATM attempts that were declined or failed, per ATM, worst first.
-- generated from sql/reports/atm_failure_rates.sql by `make reports`; do not edit
-- attempts = every ATM transaction whatever its status; failures = is_failure (status declined or
-- failed); failure_rate = failures / attempts rounded to 6 decimals, as DECIMAL(9,6) on every engine.
-- Location and city: the greatest value seen for the ATM.
-- mv_atm_failure_rates holds the data (refreshed after each load); v_atm_failure_rates is the stable name
-- readers and grants use. Drop order matters: the view depends on the materialized view.
DROP VIEW IF EXISTS banking.v_atm_failure_rates;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_atm_failure_rates;
CREATE MATERIALIZED VIEW banking.mv_atm_failure_rates AS
SELECT
  atm_id,
  MAX(atm_location) AS atm_location,
  MAX(city) AS city,
  CAST(COUNT(*) AS BIGINT) AS attempts,
  CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS BIGINT) AS failures,
  CAST(ROUND(CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS DECIMAL(18, 8)) / COUNT(*), 6) AS DECIMAL(9, 6)) AS failure_rate
FROM banking.transactions
WHERE
  channel = 'atm'
GROUP BY
  atm_id;
CREATE VIEW banking.v_atm_failure_rates AS
SELECT atm_id, atm_location, city, attempts, failures, failure_rate
FROM banking.mv_atm_failure_rates;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_atm_failure_rates, banking.v_atm_failure_rates TO GROUP bank_reporting;
