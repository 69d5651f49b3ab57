"""Report tables (folder names and columns from docs/data-layout.md), computed from the FULL
<output>/transactions dataset every run so they stay correct after incremental runs.

Definitions:
- trend and operation reports (monthly_trend, yearly_trend, ops_totals, trans_by_age_gender) count
  transactions and sum ``amount`` over all stored (valid, deduplicated) transactions with
  status = 'completed';
- trans_by_age_gender groups rows without a known customer under age_band/gender 'unknown', so its
  totals equal the trend totals; it is only produced when at least one stored row has a gender;
- ATM totals (atm_daily_totals, atm_hourly_totals) cover channel = 'atm' transactions with status
  'completed' (money that actually moved); an ATM is identified by atm_id, and its location and city
  are the greatest value seen (stable when an ATM's address text changes);
- failure rates (atm_failure_rates, card_type_failure_rates) use every ATM transaction: attempts =
  all, failures = status declined or failed, failure_rate = failures / attempts rounded to 6 places;
  a missing card_type is reported as 'unknown'.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.contract import Contract
from bankpipe.enrich import COMPLETED_STATUS

ATM_CHANNEL = "atm"
UNKNOWN = "unknown"


def check_report_rules(contract: Contract) -> None:
    contract.require_enum_values("status", (COMPLETED_STATUS,))
    contract.require_enum_values("channel", (ATM_CHANNEL,))
    for name in ("operation", "atm_id", "atm_location", "city", "card_type"):
        contract.rule(name)


def _totals() -> list[Column]:
    return [F.count(F.lit(1)).alias("txn_count"), F.sum("amount").cast("decimal(28,2)").alias("total_amount")]


def _completed(transactions: DataFrame) -> DataFrame:
    return transactions.where(F.col("status") == COMPLETED_STATUS)


def _atm(transactions: DataFrame) -> DataFrame:
    return transactions.where(F.col("channel") == ATM_CHANNEL)


def monthly_trend(transactions: DataFrame) -> DataFrame:
    return _completed(transactions).groupBy("year", "month").agg(*_totals()).orderBy("year", "month")


def yearly_trend(transactions: DataFrame) -> DataFrame:
    return _completed(transactions).groupBy("year").agg(*_totals()).orderBy("year")


def ops_totals(transactions: DataFrame) -> DataFrame:
    return _completed(transactions).groupBy("operation").agg(*_totals()).orderBy("operation")


def trans_by_age_gender(transactions: DataFrame) -> DataFrame:
    return (
        _completed(transactions)
        .select(
            F.coalesce(F.col("age_band"), F.lit(UNKNOWN)).alias("age_band"),
            F.coalesce(F.col("gender"), F.lit(UNKNOWN)).alias("gender"),
            "amount",
        )
        .groupBy("age_band", "gender")
        .agg(*_totals())
        .orderBy("age_band", "gender")
    )


def _atm_place() -> list[Column]:
    return [F.max("atm_location").alias("atm_location"), F.max("city").alias("city")]


def atm_daily_totals(transactions: DataFrame) -> DataFrame:
    grouped = _completed(_atm(transactions)).groupBy("atm_id", "txn_date").agg(*_atm_place(), *_totals())
    return grouped.select("atm_id", "atm_location", "city", "txn_date", "txn_count", "total_amount").orderBy(
        "atm_id", "txn_date"
    )


def atm_hourly_totals(transactions: DataFrame) -> DataFrame:
    grouped = (
        _completed(_atm(transactions))
        .groupBy("atm_id", "txn_date", "txn_hour")
        .agg(*_atm_place(), *_totals())
    )
    return grouped.select(
        "atm_id", "atm_location", "city", "txn_date", "txn_hour", "txn_count", "total_amount"
    ).orderBy("atm_id", "txn_date", "txn_hour")


def _failure_counts() -> list[Column]:
    attempts = F.count(F.lit(1))
    failures = F.sum(F.when(F.col("is_failure"), 1).otherwise(0))
    return [
        attempts.alias("attempts"),
        failures.cast("long").alias("failures"),
        F.round(failures / attempts, 6).alias("failure_rate"),
    ]


def atm_failure_rates(transactions: DataFrame) -> DataFrame:
    grouped = _atm(transactions).groupBy("atm_id").agg(*_atm_place(), *_failure_counts())
    return grouped.select("atm_id", "atm_location", "city", "attempts", "failures", "failure_rate").orderBy(
        "atm_id"
    )


def card_type_failure_rates(transactions: DataFrame) -> DataFrame:
    with_type = _atm(transactions).withColumn("card_type", F.coalesce(F.col("card_type"), F.lit(UNKNOWN)))
    return with_type.groupBy("card_type").agg(*_failure_counts()).orderBy("card_type")


# Report name -> builder, in the order of docs/data-layout.md (fraud_flags lives in bankpipe.fraud).
REPORTS: dict[str, Callable[[DataFrame], DataFrame]] = {
    "monthly_trend": monthly_trend,
    "yearly_trend": yearly_trend,
    "ops_totals": ops_totals,
    "trans_by_age_gender": trans_by_age_gender,
    "atm_daily_totals": atm_daily_totals,
    "atm_hourly_totals": atm_hourly_totals,
    "atm_failure_rates": atm_failure_rates,
    "card_type_failure_rates": card_type_failure_rates,
}
AGE_GENDER_REPORT = "trans_by_age_gender"


def has_customer_data(transactions: DataFrame) -> bool:
    return transactions.where(F.col("gender").isNotNull()).limit(1).count() > 0
