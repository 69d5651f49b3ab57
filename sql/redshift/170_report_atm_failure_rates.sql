-- Report atm_failure_rates: share of ATM attempts that failed, per ATM.
-- attempts = every ATM transaction whatever its status; failures = status declined or failed;
-- failure_rate = failures / attempts rounded to 6 decimals (0.000000 .. 1.000000).
-- An ATM is identified by atm_id; its location and city are the greatest value seen in the group
-- (stable when an ATM's address text changes), as in the ATM job's report table.
-- mv_ holds the data (refreshed after each load); v_ is the stable name for readers.
DROP VIEW IF EXISTS banking.v_atm_failure_rates;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_atm_failure_rates;
CREATE MATERIALIZED VIEW banking.mv_atm_failure_rates AS
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    COUNT(*) AS attempts,
    SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS failures,
    CAST(ROUND(CAST(SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS DECIMAL(18,8))
               / COUNT(*), 6) AS DECIMAL(9,6)) AS failure_rate
FROM banking.transactions
WHERE channel = 'atm'
GROUP BY atm_id;
CREATE VIEW banking.v_atm_failure_rates AS
SELECT atm_id, atm_location, city, attempts, failures, failure_rate
FROM banking.mv_atm_failure_rates;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_atm_failure_rates, banking.v_atm_failure_rates TO GROUP bank_reporting;
