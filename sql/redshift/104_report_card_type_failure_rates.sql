-- Report card_type_failure_rates: Share of ATM attempts that were declined or failed, per card type ('unknown' when missing), worst first.
-- generated from sql/reports/card_type_failure_rates.sql by `make reports`; do not edit
-- attempts = every ATM transaction; failures = is_failure (status declined or failed); failure_rate =
-- failures / attempts rounded to 6 decimals.
-- mv_card_type_failure_rates holds the data (refreshed after each load); v_card_type_failure_rates is the stable name
-- readers and grants use. Drop order matters: the view depends on the materialized view.
DROP VIEW IF EXISTS banking.v_card_type_failure_rates;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_card_type_failure_rates;
CREATE MATERIALIZED VIEW banking.mv_card_type_failure_rates AS
SELECT
  COALESCE(card_type, 'unknown') AS card_type,
  CAST(COUNT(*) AS BIGINT) AS attempts,
  CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS BIGINT) AS failures,
  CAST(ROUND(CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS DECIMAL(18, 8)) / COUNT(*), 6) AS DECIMAL(9, 6)) AS failure_rate
FROM banking.transactions
WHERE
  channel = 'atm'
GROUP BY
  COALESCE(card_type, 'unknown');
CREATE VIEW banking.v_card_type_failure_rates AS
SELECT card_type, attempts, failures, failure_rate
FROM banking.mv_card_type_failure_rates;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_card_type_failure_rates, banking.v_card_type_failure_rates TO GROUP bank_reporting;
