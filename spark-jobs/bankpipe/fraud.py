"""fraud_flags: simple, explainable rules over ATM activity of one card, one row per (transaction, rule).

Only ATM transactions (channel = 'atm') with a card_id are considered, whatever their status:
declined attempts are as telling as completed ones. Rules (parameters in ``FraudRules``):

- ``withdrawal_burst``: a withdrawal (operation cash_withdrawal or card_withdrawal) that is at least
  the ``burst_count``-th withdrawal of the card within ``burst_window_minutes`` (counting itself);
- ``impossible_travel``: an ATM transaction at another ATM than the card's previous ATM transaction
  less than ``travel_window_minutes`` earlier, at least ``travel_min_km`` away (haversine), implying
  a speed above ``travel_max_kmh`` (transactions at the same instant always count as too fast);
- ``repeated_max_amount``: a withdrawal of exactly the maximum amount that is at least the
  ``max_amount_count``-th such withdrawal of the card within ``max_amount_window_hours``. The maximum
  is ``max_withdrawal_amount`` when set, else the largest ATM withdrawal seen in that currency.

``detail`` is a short human-readable explanation with the numbers behind the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.contract import Contract
from bankpipe.reports import ATM_CHANNEL

WITHDRAWAL_OPERATIONS = ("cash_withdrawal", "card_withdrawal")
EARTH_RADIUS_KM = 6371.0088
FLAG_COLUMNS = ("transaction_id", "account_id", "card_id", "occurred_at", "rule", "detail")


@dataclass(frozen=True)
class FraudRules:
    burst_count: int = 3
    burst_window_minutes: int = 10
    travel_window_minutes: int = 60
    travel_max_kmh: float = 300.0
    travel_min_km: float = 1.0
    max_amount_count: int = 3
    max_amount_window_hours: int = 24
    max_withdrawal_amount: Decimal | None = None


DEFAULT_RULES = FraudRules()


def check_fraud_rules(contract: Contract) -> None:
    contract.require_enum_values("operation", WITHDRAWAL_OPERATIONS)
    contract.require_enum_values("channel", (ATM_CHANNEL,))
    for name in ("card_id", "atm_id", "latitude", "longitude", "currency"):
        contract.rule(name)


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
        "__count", F.count(F.lit(1)).over(_by_card_within(rules.burst_window_minutes * 60))
    )
    detail = F.format_string(
        "%d ATM withdrawals by the card within %d minutes",
        F.col("__count"),
        F.lit(rules.burst_window_minutes),
    )
    return _flags(counted.where(F.col("__count") >= rules.burst_count), "withdrawal_burst", detail)


def haversine_km(lat1: Column, lon1: Column, lat2: Column, lon2: Column) -> Column:
    dlat = F.radians(lat2 - lat1)
    dlon = F.radians(lon2 - lon1)
    a = F.pow(F.sin(dlat / 2), 2) + F.cos(F.radians(lat1)) * F.cos(F.radians(lat2)) * F.pow(
        F.sin(dlon / 2), 2
    )
    return F.lit(2 * EARTH_RADIUS_KM) * F.asin(F.least(F.lit(1.0), F.sqrt(a)))


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
    distance = haversine_km(F.col("__prev_lat"), F.col("__prev_lon"), F.col("latitude"), F.col("longitude"))
    elapsed_s = F.col("__epoch") - F.col("__prev_epoch")
    measured = with_previous.withColumn("__km", distance).withColumn("__elapsed", elapsed_s)
    speed = F.col("__km") / (F.col("__elapsed") / 3600.0)
    suspicious = measured.where(
        F.col("__prev_atm").isNotNull()
        & (F.col("__prev_atm") != F.col("atm_id"))
        & (F.col("__elapsed") < rules.travel_window_minutes * 60)
        & (F.col("__km") >= rules.travel_min_km)
        & ((F.col("__elapsed") <= 0) | (speed > rules.travel_max_kmh))
    )
    detail = F.format_string(
        "%.1f km from ATM %s in %.1f minutes",
        F.col("__km"),
        F.col("__prev_atm"),
        (F.col("__elapsed") / 60.0).cast("double"),
    )
    return _flags(suspicious, "impossible_travel", detail)


def repeated_max_amount(transactions: DataFrame, rules: FraudRules = DEFAULT_RULES) -> DataFrame:
    withdrawals = _card_activity(transactions).where(_is_withdrawal())
    if rules.max_withdrawal_amount is not None:
        with_cap = withdrawals.withColumn("__cap", F.lit(rules.max_withdrawal_amount).cast("decimal(18,2)"))
    else:
        caps = withdrawals.groupBy(F.col("currency").alias("__cap_currency")).agg(
            F.max("amount").alias("__cap")
        )
        with_cap = withdrawals.join(F.broadcast(caps), F.col("currency") == F.col("__cap_currency")).drop(
            "__cap_currency"
        )
    at_cap = with_cap.where(F.col("amount") == F.col("__cap"))
    counted = at_cap.withColumn(
        "__count", F.count(F.lit(1)).over(_by_card_within(rules.max_amount_window_hours * 3600))
    )
    detail = F.format_string(
        "%d withdrawals of the maximum amount %s %s within %d hours",
        F.col("__count"),
        F.col("__cap").cast("string"),
        F.col("currency"),
        F.lit(rules.max_amount_window_hours),
    )
    return _flags(counted.where(F.col("__count") >= rules.max_amount_count), "repeated_max_amount", detail)


def fraud_flags(transactions: DataFrame, rules: FraudRules = DEFAULT_RULES) -> DataFrame:
    flags = (
        withdrawal_bursts(transactions, rules)
        .unionByName(impossible_travel(transactions, rules))
        .unionByName(repeated_max_amount(transactions, rules))
    )
    return flags.orderBy("card_id", "occurred_at", "transaction_id", "rule")
