-- Share of ATM attempts that were declined or failed, per ATM, worst first.
SELECT
    atm_id,
    atm_location,
    city,
    COUNT(*) AS attempts,
    SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS failures,
    ROUND(CAST(SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4)
        AS failure_rate
FROM transactions
WHERE channel = 'atm'
GROUP BY atm_id, atm_location, city
ORDER BY failure_rate DESC, atm_id
