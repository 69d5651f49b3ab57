-- Report trans_by_age_gender: completed transactions per client age band and gender.
-- A missing age band or gender is reported as 'unknown' (as the ATM job's report table does),
-- so the totals equal the trend totals.
-- mv_ holds the data (refreshed after each load); v_ is the stable name for readers.
DROP VIEW IF EXISTS banking.v_trans_by_age_gender;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_trans_by_age_gender;
CREATE MATERIALIZED VIEW banking.mv_trans_by_age_gender AS
SELECT
    COALESCE(age_band, 'unknown') AS age_band,
    COALESCE(gender, 'unknown') AS gender,
    COUNT(*) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38,2)) AS total_amount
FROM banking.transactions
WHERE status = 'completed'
GROUP BY COALESCE(age_band, 'unknown'), COALESCE(gender, 'unknown');
CREATE VIEW banking.v_trans_by_age_gender AS
SELECT age_band, gender, txn_count, total_amount
FROM banking.mv_trans_by_age_gender;
-- Readers get both names; the grant lives here because recreating the views drops it.
GRANT SELECT ON banking.mv_trans_by_age_gender, banking.v_trans_by_age_gender TO GROUP bank_reporting;
