"""Small processed-zone fixtures for the warehouse tests, and the report answers computed in plain Python.

The rows imitate the ATM job's output (<processed>/transactions/txn_date=.../*.parquet). The expected
report values are computed here from the same Python rows, independently of any SQL, so the
Redshift views (run on PostgreSQL) and the Athena queries (run on DuckDB) are checked against
arithmetic that shares no code with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import types as T  # noqa: N812 (Spark convention)

from bankpipe.reports import SQL_REPORTS

Row = dict[str, Any]

PROCESSED_SCHEMA = T.StructType(
    [
        T.StructField("transaction_id", T.StringType(), False),
        T.StructField("account_id", T.StringType(), False),
        T.StructField("occurred_at", T.TimestampType(), False),
        T.StructField("type", T.StringType(), False),
        T.StructField("operation", T.StringType(), False),
        T.StructField("amount", T.DecimalType(18, 2), False),
        T.StructField("currency", T.StringType(), False),
        T.StructField("balance_after", T.DecimalType(18, 2), True),
        T.StructField("channel", T.StringType(), False),
        T.StructField("status", T.StringType(), False),
        T.StructField("atm_id", T.StringType(), True),
        T.StructField("atm_location", T.StringType(), True),
        T.StructField("city", T.StringType(), True),
        T.StructField("country", T.StringType(), True),
        T.StructField("latitude", T.DoubleType(), True),
        T.StructField("longitude", T.DoubleType(), True),
        T.StructField("card_id", T.StringType(), True),
        T.StructField("card_type", T.StringType(), True),
        T.StructField("message_code", T.StringType(), True),
        T.StructField("message_text", T.StringType(), True),
        T.StructField("counterparty_bank", T.StringType(), True),
        T.StructField("counterparty_account", T.StringType(), True),
        T.StructField("purpose", T.StringType(), True),
        T.StructField("extra_fields", T.StringType(), True),
        T.StructField("txn_date", T.DateType(), False),
        T.StructField("txn_hour", T.IntegerType(), False),
        T.StructField("year", T.IntegerType(), False),
        T.StructField("month", T.IntegerType(), False),
        T.StructField("signed_amount", T.DecimalType(18, 2), False),
        T.StructField("is_failure", T.BooleanType(), False),
        T.StructField("age_band", T.StringType(), True),
        T.StructField("gender", T.StringType(), True),
        T.StructField("run_id", T.StringType(), False),
        T.StructField("source_file", T.StringType(), True),
        # Not a warehouse column: the load must drop it.
        T.StructField("scratch_column", T.StringType(), True),
    ]
)

ATMS = (
    ("ATM-001", "Namesti Miru 1", "Praha", 50.0755, 14.4378),
    ("ATM-002", "Hlavni nadrazi", "Brno", 49.1901, 16.6127),
    ("ATM-003", "Obchodni centrum Cerny Most", "Praha", 50.1088, 14.5776),
)
ATM_OPERATIONS = ("cash_withdrawal", "card_withdrawal", "cash_deposit")
OTHER_OPERATIONS = ("transfer_in", "transfer_out", "payment", "fee", "interest")
CREDIT_OPERATIONS = {"cash_deposit", "transfer_in", "interest"}
CHANNELS = ("atm", "atm", "branch", "atm", "online", "atm", "mobile", "pos")
STATUSES = ("completed", "completed", "declined", "completed", "failed", "completed", "reversed")
CARD_TYPES = ("classic", "gold", None, "junior")
AGE_BANDS = ("18-25", "26-40", "41-60", "60+")
GENDERS = ("F", "M", None)
# Two runs: run-1 wrote the first three days, run-2 the last (a new year and month).
DAYS = (
    (date(2023, 12, 31), "run-1"),
    (date(2024, 1, 15), "run-1"),
    (date(2024, 1, 16), "run-1"),
    (date(2024, 2, 1), "run-2"),
)
ROWS_PER_DAY = 11


def make_row(index: int, day: date, run_id: str) -> Row:
    channel = CHANNELS[index % len(CHANNELS)]
    status = STATUSES[(index * 3) % len(STATUSES)]
    operations = ATM_OPERATIONS if channel == "atm" else OTHER_OPERATIONS
    operation = operations[index % len(operations)]
    amount = Decimal(f"{(index * 37) % 900 + 5}.{(index * 13) % 100:02d}")
    credit = operation in CREDIT_OPERATIONS
    occurred_at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        hours=(index * 5) % 24, minutes=index % 60, seconds=index % 7
    )
    atm = ATMS[index % len(ATMS)] if channel == "atm" else None
    # Now and then an ATM's address text differs (a sign was changed): reports keep the greatest value.
    location = None if atm is None else (atm[1] + " (old sign)" if index % 4 == 1 else atm[1])
    return {
        "transaction_id": f"T{index:05d}",
        "account_id": f"A{index % 6:03d}",
        "occurred_at": occurred_at,
        "type": "credit" if credit else "debit",
        "operation": operation,
        "amount": amount,
        "currency": "CZK",
        "balance_after": None if index % 5 == 0 else Decimal(f"{(index * 101) % 5000 - 1000}.25"),
        "channel": channel,
        "status": status,
        "atm_id": atm[0] if atm else None,
        "atm_location": location,
        "city": atm[2] if atm else None,
        "country": "CZ" if atm else None,
        "latitude": atm[3] if atm else None,
        "longitude": atm[4] if atm else None,
        "card_id": f"C{index % 4:03d}" if channel in ("atm", "pos") else None,
        "card_type": CARD_TYPES[(index // 3) % len(CARD_TYPES)] if channel == "atm" else None,
        "message_code": "51" if status == "declined" else None,
        # Multi-byte text: VARCHAR lengths are bytes on Redshift.
        "message_text": "Nedostatek prostředků - zamítnuto" if status == "declined" else None,
        "counterparty_bank": "KB" if operation.startswith("transfer") else None,
        "counterparty_account": f"{index:010d}" if operation.startswith("transfer") else None,
        "purpose": "rent" if operation == "transfer_out" else None,
        "extra_fields": '{"terminal_fw": "4.2"}' if index % 6 == 0 else None,
        "txn_date": occurred_at.date(),
        "txn_hour": occurred_at.hour,
        "year": occurred_at.year,
        "month": occurred_at.month,
        "signed_amount": amount if credit else -amount,
        "is_failure": status in ("declined", "failed"),
        "age_band": None if index % 9 == 0 else AGE_BANDS[index % len(AGE_BANDS)],
        "gender": GENDERS[index % len(GENDERS)],
        "run_id": run_id,
        "source_file": f"raw/transactions/{day.isoformat()}/{run_id}.jsonl",
        "scratch_column": "the load must not need this",
    }


def fixture_rows() -> list[Row]:
    rows = []
    index = 0
    for day, run_id in DAYS:
        for _ in range(ROWS_PER_DAY):
            rows.append(make_row(index, day, run_id))
            index += 1
    return rows


def write_processed(
    spark: SparkSession, rows: Iterable[Row], processed_root: Path, mode: str = "overwrite"
) -> str:
    """Write rows like the ATM job does; returns the processed zone URI (file://)."""
    ordered = [tuple(row[field.name] for field in PROCESSED_SCHEMA.fields) for row in rows]
    frame = spark.createDataFrame(ordered, PROCESSED_SCHEMA).coalesce(1)
    frame.write.mode(mode).partitionBy("txn_date").parquet(str(processed_root / "transactions"))
    return processed_root.resolve().as_uri()


# ------------------------------------------------------------------ expected report answers


def _groups(rows: Iterable[Row], key: Callable[[Row], tuple[Any, ...]]) -> dict[tuple[Any, ...], list[Row]]:
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def _totals(group: list[Row]) -> tuple[int, Decimal]:
    return len(group), sum((row["amount"] for row in group), Decimal(0))


def _rates(group: list[Row]) -> tuple[int, int, Decimal]:
    failures = sum(1 for row in group if row["status"] in ("declined", "failed"))
    rate = (Decimal(failures) / Decimal(len(group))).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return len(group), failures, rate


def _place(group: list[Row]) -> tuple[str, str]:
    """An ATM's location and city: the greatest value seen in the group."""
    return max(row["atm_location"] for row in group), max(row["city"] for row in group)


def _known(value: str | None) -> str:
    return "unknown" if value is None else value


def expected_reports(rows: list[Row]) -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """report -> {grain key: measures}; keys and measures in the report's column order."""
    completed = [r for r in rows if r["status"] == "completed"]
    atm = [r for r in rows if r["channel"] == "atm"]
    atm_completed = [r for r in atm if r["status"] == "completed"]
    daily = _groups(atm_completed, lambda r: (r["atm_id"], r["txn_date"].isoformat()))
    hourly = _groups(atm_completed, lambda r: (r["atm_id"], r["txn_date"].isoformat(), r["txn_hour"]))
    per_atm = _groups(atm, lambda r: (r["atm_id"],))
    return {
        "monthly_trend": {
            k: _totals(g) for k, g in _groups(completed, lambda r: (r["year"], r["month"])).items()
        },
        "yearly_trend": {k: _totals(g) for k, g in _groups(completed, lambda r: (r["year"],)).items()},
        "ops_totals": {k: _totals(g) for k, g in _groups(completed, lambda r: (r["operation"],)).items()},
        "trans_by_age_gender": {
            k: _totals(g)
            for k, g in _groups(completed, lambda r: (_known(r["age_band"]), _known(r["gender"]))).items()
        },
        "atm_daily_totals": {(k[0], *_place(g), *k[1:]): _totals(g) for k, g in daily.items()},
        "atm_hourly_totals": {(k[0], *_place(g), *k[1:]): _totals(g) for k, g in hourly.items()},
        "atm_failure_rates": {(k[0], *_place(g)): _rates(g) for k, g in per_atm.items()},
        "card_type_failure_rates": {
            k: _rates(g) for k, g in _groups(atm, lambda r: (_known(r["card_type"]),)).items()
        },
    }


COUNT_COLUMNS = frozenset({"txn_count", "attempts", "failures"})
PLACES = {"total_amount": Decimal("0.01"), "failure_rate": Decimal("0.000001")}
# Key columns and measure columns of each report, as the views and named queries return them, from the
# report definitions (sql/reports): the measures are the columns compared as numbers, the rest keys.
REPORT_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    report.name: (
        tuple(c for c in report.columns if c not in COUNT_COLUMNS and c not in PLACES),
        tuple(c for c in report.columns if c in COUNT_COLUMNS or c in PLACES),
    )
    for report in SQL_REPORTS
}


def _normalise_key(value: Any) -> Any:
    # Dates come back as date (PostgreSQL, DuckDB) or text (Athena partitions): compare as ISO text.
    return value.isoformat() if isinstance(value, date) else value


def _normalise_measure(name: str, value: Any) -> Any:
    if name in COUNT_COLUMNS:
        return int(value)
    # Floats (DuckDB/Athena DOUBLE) go through str so 0.3333 stays 0.3333.
    return Decimal(str(value)).quantize(PLACES[name], rounding=ROUND_HALF_UP)


def normalise_report(report: str, rows: Iterable[tuple[Any, ...]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Rows in the report's column order -> {grain: measures}; fails on a duplicated grain."""
    keys, measures = REPORT_COLUMNS[report]
    result: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        if len(row) != len(keys) + len(measures):
            raise AssertionError(
                f"{report}: expected columns {keys + measures}, got a row of {len(row)} values"
            )
        key = tuple(_normalise_key(v) for v in row[: len(keys)])
        if key in result:
            raise AssertionError(f"{report}: grain {key} appears twice")
        result[key] = tuple(_normalise_measure(n, v) for n, v in zip(measures, row[len(keys) :], strict=True))
    return result


def expected_normalised(report: str, rows: list[Row]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return normalise_report(
        report, [(*key, *values) for key, values in expected_reports(rows)[report].items()]
    )
