-- Share of ATM attempts that were declined or failed, per card type ('unknown' when missing), worst first.
-- grain: card_type
-- demo: bars failure_rate by card_type as percent
-- attempts = every ATM transaction; failures = is_failure (status declined or failed); failure_rate =
-- failures / attempts rounded to 6 decimals.
SELECT
    COALESCE(card_type, 'unknown') AS card_type,
    CAST(COUNT(*) AS BIGINT) AS attempts,
    CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS BIGINT) AS failures,
    CAST(ROUND(CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS DECIMAL(18, 8)) / COUNT(*), 6) AS DECIMAL(9, 6))
        AS failure_rate
FROM transactions
WHERE channel = 'atm'
GROUP BY COALESCE(card_type, 'unknown')
ORDER BY failure_rate DESC, card_type
