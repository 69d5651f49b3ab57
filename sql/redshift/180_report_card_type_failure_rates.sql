-- Report card_type_failure_rates: share of ATM attempts that failed, per card type
-- (a missing card type is reported as 'unknown', as in the ATM job's report table).
-- attempts = every ATM transaction whatever its status; failures = status declined or failed;
-- failure_rate = failures / attempts rounded to 6 decimals (0.000000 .. 1.000000).
-- mv_ holds the data (refreshed after each load); v_ is the stable name for readers.
DROP VIEW IF EXISTS banking.v_card_type_failure_rates;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_card_type_failure_rates;
CREATE MATERIALIZED VIEW banking.mv_card_type_failure_rates AS
SELECT
    COALESCE(card_type, 'unknown') AS card_type,
    COUNT(*) AS attempts,
    SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS failures,
    CAST(ROUND(CAST(SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS DECIMAL(18,8))
               / COUNT(*), 6) AS DECIMAL(9,6)) AS failure_rate
FROM banking.transactions
WHERE channel = 'atm'
GROUP BY COALESCE(card_type, 'unknown');
CREATE VIEW banking.v_card_type_failure_rates AS
SELECT card_type, attempts, failures, failure_rate
FROM banking.mv_card_type_failure_rates;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_card_type_failure_rates, banking.v_card_type_failure_rates TO GROUP bank_reporting;
