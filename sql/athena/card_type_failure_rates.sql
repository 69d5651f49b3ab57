-- Share of ATM attempts that were declined or failed, per card type (NULL = no card), worst first.
SELECT
    card_type,
    COUNT(*) AS attempts,
    SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS failures,
    ROUND(CAST(SUM(CASE WHEN status IN ('declined', 'failed') THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4)
        AS failure_rate
FROM transactions
WHERE channel = 'atm'
GROUP BY card_type
ORDER BY failure_rate DESC, card_type
