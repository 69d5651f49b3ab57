-- Report card_type_failure_rates: share of ATM attempts that failed, per card type
-- (NULL card type = ATM transactions without a card, e.g. cardless withdrawals).
-- attempts = every ATM transaction whatever its status; failures = status declined or failed;
-- failure_rate = failures / attempts rounded to 4 decimals (0.0000 .. 1.0000).
-- mv_ holds the data (refreshed after each load); v_ is the stable name for readers.
DROP VIEW IF EXISTS banking.v_card_type_failure_rates;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_card_type_failure_rates;
CREATE MATERIALIZED VIEW banking.mv_card_type_failure_rates AS
SELECT
    card_type,
    COUNT(*) AS attempts,
    SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS failures,
    CAST(ROUND(CAST(SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS DECIMAL(18,6))
               / COUNT(*), 4) AS DECIMAL(6,4)) AS failure_rate
FROM banking.transactions
WHERE channel = 'atm'
GROUP BY card_type;
CREATE VIEW banking.v_card_type_failure_rates AS
SELECT card_type, attempts, failures, failure_rate
FROM banking.mv_card_type_failure_rates;
