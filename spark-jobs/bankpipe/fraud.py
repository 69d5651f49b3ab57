"""The fraud report's rows (its definition in sql/reports says ``rows from: bankpipe.fraud``): simple,
explainable rules over ATM activity of one card, one row per (transaction, rule), ``flag_transactions``.

The rules and every parameter live in contracts/fraud-rules.json (read by ``bankpipe.fraud_rules``),
which the live consumer (lambda/live-alerts/fraud-rules) reads too, so that both raise the same alerts.
Only ATM transactions (channel = 'atm') with a card_id are considered, whatever their status: declined
attempts are as telling as completed ones. Event time is ``occurred_at`` in whole seconds, rounded down
(``unix_seconds``). Rules (parameters in ``FraudRules``):

- ``withdrawal_burst``: a withdrawal (operation cash_withdrawal or card_withdrawal) that is at least
  the ``burst_count``-th withdrawal of the card within ``burst_window_seconds`` (counting itself);
- ``impossible_travel``: an ATM transaction at another ATM than the card's previous ATM transaction
  less than ``travel_window_seconds`` earlier, at least ``travel_min_km`` away (haversine), implying
  a speed above ``travel_max_kmh`` (transactions in the same second always count as too fast);
- ``repeated_max_amount``: a withdrawal of exactly the maximum amount of its currency
  (``max_withdrawal_amount_by_currency``; other currencies are never flagged) that is at least the
  ``max_amount_count``-th such withdrawal of the card within ``max_amount_window_seconds``.

``detail`` is a short human-readable explanation with the numbers behind the flag. ``alert_keys`` maps
its rows to the alert identity the live consumer uses (see ``bankpipe.fraud_rules``).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.contract import MONEY_TYPE, Contract
from bankpipe.fraud_rules import (
    IMPOSSIBLE_TRAVEL,
    REPEATED_MAX_AMOUNT,
    WITHDRAWAL_BURST,
    WITHDRAWAL_OPERATIONS,
    AlertKey,
    FraudRules,
    alert_keys_of,
    duration_text,
    load_fraud_rules,
)
from bankpipe.reports import ATM_CHANNEL

FLAG_COLUMNS = ("transaction_id", "account_id", "card_id", "occurred_at", "rule", "detail")

DEFAULT_RULES = load_fraud_rules()


def check_fraud_rules(contract: Contract) -> None:
    contract.require_enum_values("operation", WITHDRAWAL_OPERATIONS)
    contract.require_enum_values("channel", (ATM_CHANNEL,))
    for name in ("card_id", "atm_id", "latitude", "longitude", "currency"):
        contract.rule(name)


# --- the rules ----------------------------------------------------------------------------------------


def _card_activity(transactions: DataFrame) -> DataFrame:
    return transactions.where((F.col("channel") == ATM_CHANNEL) & F.col("card_id").isNotNull()).withColumn(
        "__epoch", F.unix_seconds(F.col("occurred_at"))
    )


def _is_withdrawal() -> Column:
    return F.col("operation").isin(*WITHDRAWAL_OPERATIONS)


def _by_card_within(seconds: int) -> Window:
    # A range frame counts every row of the card within the last ``seconds``, ties included.
    return Window.partitionBy("card_id").orderBy("__epoch").rangeBetween(-seconds, 0)


def _flags(rows: DataFrame, rule: str, detail: Column) -> DataFrame:
    return rows.select(
        "transaction_id",
        "account_id",
        "card_id",
        "occurred_at",
        F.lit(rule).alias("rule"),
        detail.alias("detail"),
    )


def withdrawal_bursts(transactions: DataFrame, rules: FraudRules = DEFAULT_RULES) -> DataFrame:
    withdrawals = _card_activity(transactions).where(_is_withdrawal())
    counted = withdrawals.withColumn(
        "__count", F.count(F.lit(1)).over(_by_card_within(rules.burst_window_seconds))
    )
    detail = F.format_string(
        f"%d ATM withdrawals by the card within {duration_text(rules.burst_window_seconds)}",
        F.col("__count"),
    )
    return _flags(counted.where(F.col("__count") >= rules.burst_count), WITHDRAWAL_BURST, detail)


def haversine_km(
    lat1: Column, lon1: Column, lat2: Column, lon2: Column, earth_radius_km: float | None = None
) -> Column:
    radius = DEFAULT_RULES.earth_radius_km if earth_radius_km is None else earth_radius_km
    dlat = F.radians(lat2 - lat1)
    dlon = F.radians(lon2 - lon1)
    a = F.pow(F.sin(dlat / 2), 2) + F.cos(F.radians(lat1)) * F.cos(F.radians(lat2)) * F.pow(
        F.sin(dlon / 2), 2
    )
    return F.lit(2 * radius) * F.asin(F.least(F.lit(1.0), F.sqrt(a)))


def impossible_travel(transactions: DataFrame, rules: FraudRules = DEFAULT_RULES) -> DataFrame:
    activity = _card_activity(transactions).where(
        F.col("latitude").isNotNull() & F.col("longitude").isNotNull()
    )
    previous = Window.partitionBy("card_id").orderBy("__epoch", "transaction_id")
    with_previous = activity.select(
        "*",
        F.lag("atm_id").over(previous).alias("__prev_atm"),
        F.lag("latitude").over(previous).alias("__prev_lat"),
        F.lag("longitude").over(previous).alias("__prev_lon"),
        F.lag("__epoch").over(previous).alias("__prev_epoch"),
    )
    distance = haversine_km(
        F.col("__prev_lat"), F.col("__prev_lon"), F.col("latitude"), F.col("longitude"), rules.earth_radius_km
    )
    elapsed_s = F.col("__epoch") - F.col("__prev_epoch")
    measured = with_previous.withColumn("__km", distance).withColumn("__elapsed", elapsed_s)
    speed = F.col("__km") / (F.col("__elapsed") / 3600.0)
    suspicious = measured.where(
        F.col("__prev_atm").isNotNull()
        & (F.col("__prev_atm") != F.col("atm_id"))
        & (F.col("__elapsed") < rules.travel_window_seconds)
        & (F.col("__km") >= rules.travel_min_km)
        & ((F.col("__elapsed") <= 0) | (speed > rules.travel_max_kmh))
    )
    detail = F.format_string(
        "%.1f km from ATM %s in %.1f minutes",
        F.col("__km"),
        F.col("__prev_atm"),
        (F.col("__elapsed") / 60.0).cast("double"),
    )
    return _flags(suspicious, IMPOSSIBLE_TRAVEL, detail)


def _currency_maximum(rules: FraudRules) -> Column:
    """The currency's maximum single withdrawal from the rules file, NULL for a currency it does not list."""
    maximum: Column = F.lit(None).cast(MONEY_TYPE)
    for currency, amount in sorted(rules.max_withdrawal_amount_by_currency.items()):
        maximum = F.when(F.col("currency") == currency, F.lit(amount).cast(MONEY_TYPE)).otherwise(maximum)
    return maximum


def repeated_max_amount(transactions: DataFrame, rules: FraudRules = DEFAULT_RULES) -> DataFrame:
    withdrawals = _card_activity(transactions).where(_is_withdrawal())
    with_cap = withdrawals.withColumn("__cap", _currency_maximum(rules))
    at_cap = with_cap.where(F.col("amount") == F.col("__cap"))
    counted = at_cap.withColumn(
        "__count", F.count(F.lit(1)).over(_by_card_within(rules.max_amount_window_seconds))
    )
    detail = F.format_string(
        f"%d withdrawals of the maximum amount %s %s within {duration_text(rules.max_amount_window_seconds)}",
        F.col("__count"),
        F.col("__cap").cast("string"),
        F.col("currency"),
    )
    return _flags(counted.where(F.col("__count") >= rules.max_amount_count), REPEATED_MAX_AMOUNT, detail)


def flag_transactions(transactions: DataFrame, rules: FraudRules = DEFAULT_RULES) -> DataFrame:
    flags = (
        withdrawal_bursts(transactions, rules)
        .unionByName(impossible_travel(transactions, rules))
        .unionByName(repeated_max_amount(transactions, rules))
    )
    return flags.orderBy("card_id", "occurred_at", "transaction_id", "rule")


# --- alert identity -----------------------------------------------------------------------------------


def alert_keys(flags: DataFrame, rules: FraudRules = DEFAULT_RULES) -> set[AlertKey]:
    """The alert keys of flag_transactions rows: one per (rule, card, window), however many rows share it."""
    rows = flags.select("rule", "card_id", F.unix_seconds(F.col("occurred_at")).alias("end")).collect()
    return alert_keys_of(((row.rule, row.card_id, row.end) for row in rows), rules)
