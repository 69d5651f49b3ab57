"""enrich: derived columns (UTC, whatever the session time zone), customers, age bands, layout."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import functions as F  # noqa: N812

from bankpipe.contract import load_contract
from bankpipe.enrich import (
    add_age_gender,
    add_derived_columns,
    age_band,
    age_in_years,
    clean_customers,
    to_transactions_layout,
    transactions_schema,
)

VALID_SCHEMA = (
    "transaction_id string, account_id string, occurred_at timestamp, "
    "type string, amount decimal(18,2), status string"
)


@pytest.fixture(scope="module")
def contract(schema_path):
    return load_contract(str(schema_path))


def test_derived_columns_use_utc_whatever_the_session_time_zone(spark):
    rows = [
        ("T1", "A1", datetime(2024, 1, 31, 23, 30), "debit", Decimal("10.00"), "completed"),
        ("T2", "A1", datetime(2024, 2, 1, 0, 5), "credit", Decimal("7.50"), "declined"),
        ("T3", "A2", datetime(2023, 12, 31, 23, 59, 59), "debit", Decimal("1.00"), "failed"),
    ]
    previous = spark.conf.get("spark.sql.session.timeZone")
    try:
        valid = spark.createDataFrame(rows, VALID_SCHEMA)  # created in UTC (the fixture's zone)
        spark.conf.set("spark.sql.session.timeZone", "America/New_York")
        derived = add_derived_columns(valid, "run-1").select(
            "transaction_id", "txn_date", "txn_hour", "year", "month", "signed_amount", "is_failure", "run_id"
        )
        result = {row.transaction_id: row.asDict() for row in derived.collect()}
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)
    assert result["T1"] == {
        "transaction_id": "T1",
        "txn_date": date(2024, 1, 31),
        "txn_hour": 23,
        "year": 2024,
        "month": 1,
        "signed_amount": Decimal("-10.00"),
        "is_failure": False,
        "run_id": "run-1",
    }
    assert (result["T2"]["txn_date"], result["T2"]["txn_hour"], result["T2"]["month"]) == (
        date(2024, 2, 1),
        0,
        2,
    )
    assert (result["T2"]["signed_amount"], result["T2"]["is_failure"]) == (Decimal("7.50"), True)
    assert (result["T3"]["year"], result["T3"]["txn_date"], result["T3"]["is_failure"]) == (
        2023,
        date(2023, 12, 31),
        True,
    )


def test_customers_are_cleaned_and_unique_per_account(spark):
    raw = spark.createDataFrame(
        [
            ("A1", "1990-05-17", "F"),
            ("A1", "1980-01-01", "M"),  # duplicate account: smallest (birth_date, gender) wins
            ("A2", "1990-02-30", "M"),  # no such date
            ("A3", "17/05/1990", "F"),  # wrong format
            ("A4", "1990-05-17", "X"),  # unknown gender
            (None, "1990-05-17", "F"),
            ("A5", "2001-12-24", "M"),
        ],
        "account_id string, birth_date string, gender string",
    )
    cleaned = {row.account_id: (row.birth_date, row.gender) for row in clean_customers(raw).collect()}
    assert cleaned == {"A1": (date(1980, 1, 1), "M"), "A5": (date(2001, 12, 24), "M")}


def test_age_and_bands_at_the_transaction_date(spark):
    cases = [
        # on_date, birth_date, expected age, expected band
        (date(2024, 5, 16), date(2006, 5, 17), 17, "0-17"),
        (date(2024, 5, 17), date(2006, 5, 17), 18, "18-25"),
        (date(2024, 5, 17), date(1998, 5, 17), 26, "26-35"),
        (date(2024, 5, 16), date(1998, 5, 17), 25, "18-25"),
        (date(2024, 1, 1), date(1988, 1, 1), 36, "36-45"),
        (date(2024, 1, 1), date(1978, 1, 2), 45, "36-45"),
        (date(2024, 1, 1), date(1968, 1, 1), 56, "56-65"),
        (date(2024, 1, 1), date(1958, 1, 1), 66, "66+"),
        (date(2023, 2, 28), date(2000, 2, 29), 22, "18-25"),  # leap-day birthday: older on 1 March
        (date(2023, 3, 1), date(2000, 2, 29), 23, "18-25"),
        (date(2024, 1, 1), date(2024, 6, 1), -1, None),  # born after the transaction: no band
    ]
    frame = spark.createDataFrame([(c[0], c[1]) for c in cases], "on_date date, birth_date date")
    age = age_in_years(F.col("on_date"), F.col("birth_date"))
    found = [
        (row.age, row.band) for row in frame.select(age.alias("age"), age_band(age).alias("band")).collect()
    ]
    assert found == [(c[2], c[3]) for c in cases]


def test_age_gender_join_never_changes_the_row_count(spark):
    transactions = spark.createDataFrame(
        [("T1", "A1", date(2024, 5, 17)), ("T2", "A9", date(2024, 5, 17)), ("T3", "A1", date(2000, 1, 1))],
        "transaction_id string, account_id string, txn_date date",
    )
    customers = spark.createDataFrame(
        [("A1", date(1990, 5, 17), "F")], "account_id string, birth_date date, gender string"
    )
    with_customers = {
        r.transaction_id: (r.age_band, r.gender) for r in add_age_gender(transactions, customers).collect()
    }
    assert with_customers == {"T1": ("26-35", "F"), "T2": (None, None), "T3": ("0-17", "F")}
    without = add_age_gender(transactions, None)
    assert [(r.age_band, r.gender) for r in without.collect()] == [(None, None)] * 3


def test_layout_has_the_contract_columns_then_derived_then_partition(contract):
    names = transactions_schema(contract).fieldNames()
    assert names[: len(contract.property_names)] == list(contract.property_names)
    assert names[len(contract.property_names) :] == [
        "extra_fields",
        "txn_hour",
        "year",
        "month",
        "signed_amount",
        "is_failure",
        "age_band",
        "gender",
        "run_id",
        "source_file",
        "txn_date",
    ]
    types = {field.name: field.dataType.simpleString() for field in transactions_schema(contract).fields}
    assert types["amount"] == "decimal(18,2)"
    assert types["occurred_at"] == "timestamp"
    assert types["txn_date"] == "date"


def test_to_layout_selects_and_orders_columns(spark, contract):
    schema = transactions_schema(contract)
    shuffled = spark.createDataFrame([], schema).select(*reversed(schema.fieldNames()))
    assert to_transactions_layout(shuffled, contract).schema == schema
