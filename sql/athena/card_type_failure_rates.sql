-- Share of ATM attempts that were declined or failed, per card type ('unknown' when missing), worst first.
SELECT
    COALESCE(card_type, 'unknown') AS card_type,
    COUNT(*) AS attempts,
    SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS failures,
    ROUND(CAST(SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 6)
        AS failure_rate
FROM transactions
WHERE channel = 'atm'
GROUP BY COALESCE(card_type, 'unknown')
ORDER BY failure_rate DESC, card_type
