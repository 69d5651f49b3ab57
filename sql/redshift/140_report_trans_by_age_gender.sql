-- Report trans_by_age_gender: completed transactions per client age band and gender.
-- Unknown age band or gender stays NULL and forms its own group.
-- mv_ holds the data (refreshed after each load); v_ is the stable name for readers.
DROP VIEW IF EXISTS banking.v_trans_by_age_gender;
DROP MATERIALIZED VIEW IF EXISTS banking.mv_trans_by_age_gender;
CREATE MATERIALIZED VIEW banking.mv_trans_by_age_gender AS
SELECT
    age_band,
    gender,
    COUNT(*) AS txn_count,
    CAST(SUM(amount) AS DECIMAL(38,2)) AS total_amount
FROM banking.transactions
WHERE status = 'completed'
GROUP BY age_band, gender;
CREATE VIEW banking.v_trans_by_age_gender AS
SELECT age_band, gender, txn_count, total_amount
FROM banking.mv_trans_by_age_gender;
