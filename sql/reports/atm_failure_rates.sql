-- Share of ATM attempts that were declined or failed, per ATM, worst first.
-- grain: atm_id
-- demo: table city, attempts, failures, failure_rate by atm_id order by failure_rate desc, attempts desc, atm_id limit 8
-- demo: bars failure_rate by atm_id, city order by failure_rate desc, attempts desc, atm_id limit 20 as percent
-- attempts = every ATM transaction whatever its status; failures = is_failure (status declined or
-- failed); failure_rate = failures / attempts rounded to 6 decimals, as DECIMAL(9,6) on every engine.
-- Location and city: the greatest value seen for the ATM.
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    CAST(COUNT(*) AS BIGINT) AS attempts,
    CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS BIGINT) AS failures,
    CAST(ROUND(CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS DECIMAL(18, 8)) / COUNT(*), 6) AS DECIMAL(9, 6))
        AS failure_rate
FROM transactions
WHERE channel = 'atm'
GROUP BY atm_id
ORDER BY failure_rate DESC, atm_id
