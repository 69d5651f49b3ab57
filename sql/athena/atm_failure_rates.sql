-- Share of ATM attempts that were declined or failed, per ATM, worst first.
SELECT
    atm_id,
    MAX(atm_location) AS atm_location,
    MAX(city) AS city,
    COUNT(*) AS attempts,
    SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS failures,
    ROUND(CAST(SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 6)
        AS failure_rate
FROM transactions
WHERE channel = 'atm'
GROUP BY atm_id
ORDER BY failure_rate DESC, atm_id
