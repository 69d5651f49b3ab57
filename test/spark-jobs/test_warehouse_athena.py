"""Athena named queries (sql/athena/*.sql) run unchanged on DuckDB over Parquet with known answers.

DuckDB stands in for Athena: the twin's stand-in (local/services/athena_standin.py) makes views named
like the Glue tables (`transactions`, `fraud_flags`) over the fixture Parquet folders, with the
column types the Glue crawler gives them (the `txn_date` partition is a string). The query text
from the file is executed as is; the answers are computed in Python from the fixture rows.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, date, datetime

import duckdb
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T  # noqa: N812 (Spark convention)

from bankpipe.enrich import PARTITION_COLUMN
from bankpipe.warehouse_load import REPORTS
from fixtures.paths import REPO_ROOT
from warehouse_fixtures import expected_normalised, fixture_rows, normalise_report, write_processed

sys.path.insert(0, str(REPO_ROOT / "local" / "services"))
import athena_standin as standin  # a script folder, not a package

ATHENA_DIR = REPO_ROOT / "sql" / "athena"

FRAUD_SCHEMA = T.StructType(
    [
        T.StructField("transaction_id", T.StringType(), False),
        T.StructField("account_id", T.StringType(), False),
        T.StructField("card_id", T.StringType(), True),
        T.StructField("occurred_at", T.TimestampType(), False),
        T.StructField("rule", T.StringType(), False),
        T.StructField("detail", T.StringType(), True),
    ]
)
FRAUD_ROWS = [
    (
        "T00001",
        "A001",
        "C001",
        datetime(2024, 1, 15, 3, 0, tzinfo=UTC),
        "night_withdrawal",
        "03:00 at ATM-002",
    ),
    (
        "T00001",
        "A001",
        "C001",
        datetime(2024, 1, 15, 3, 0, tzinfo=UTC),
        "amount_spike",
        "9x the 90-day median",
    ),
    (
        "T00007",
        "A001",
        None,
        datetime(2024, 2, 1, 9, 30, tzinfo=UTC),
        "geo_velocity",
        "Praha -> Brno in 5 min",
    ),
    ("T00003", "A003", "C003", datetime(2023, 12, 31, 23, 59, tzinfo=UTC), "amount_spike", "12x"),
]


def query_text(name: str) -> str:
    return (ATHENA_DIR / f"{name}.sql").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def athena_twin(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    processed = tmp_path_factory.mktemp("athena") / "processed"
    write_processed(spark, fixture_rows(), processed)
    (
        spark.createDataFrame(FRAUD_ROWS, FRAUD_SCHEMA)
        .coalesce(1)
        .write.mode("overwrite")
        .parquet(str(processed / "reports" / "fraud_flags"))
    )
    connection = duckdb.connect(config=standin.DUCKDB_CONFIG)
    connection.execute("SET TimeZone = 'UTC'")
    standin.create_views(connection, standin.table_folders(processed))
    return connection


def test_every_named_query_is_one_statement_without_a_trailing_semicolon() -> None:
    """Athena's StartQueryExecution takes one statement; the first line is the query's description."""
    files = sorted(ATHENA_DIR.glob("*.sql"))
    assert {p.stem for p in files} >= set(REPORTS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- "), f"{path.name}: start with a '-- description' line"
        code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
        assert ";" not in code, f"{path.name}: no ';' (Athena runs exactly one statement)"
        assert re.fullmatch(r"[a-z_]+", path.stem), f"{path.name}: name it <report>.sql in snake case"


@pytest.mark.parametrize("report", REPORTS)
def test_named_query_gives_the_known_answer(athena_twin: duckdb.DuckDBPyConnection, report: str) -> None:
    rows = athena_twin.execute(query_text(report)).fetchall()
    expected = expected_normalised(report, fixture_rows())
    assert expected, f"fixture gives no rows for {report}; the test would prove nothing"
    assert normalise_report(report, rows) == expected


def test_named_queries_order_their_rows(athena_twin: duckdb.DuckDBPyConnection) -> None:
    monthly = athena_twin.execute(query_text("monthly_trend")).fetchall()
    assert [(r[0], r[1]) for r in monthly] == sorted((r[0], r[1]) for r in monthly)
    rates = [r[-1] for r in athena_twin.execute(query_text("atm_failure_rates")).fetchall()]
    assert rates == sorted(rates, reverse=True)
    assert len(set(rates)) > 1  # ordering is actually exercised


def test_fraud_flags_query_lists_newest_first_with_rule_counts(
    athena_twin: duckdb.DuckDBPyConnection,
) -> None:
    rows = athena_twin.execute(query_text("fraud_flags")).fetchall()
    # Spark writes INT96 timestamps, which DuckDB reads as UTC wall-clock time without a zone.
    got = [(r[0], r[3].replace(tzinfo=UTC) if r[3].tzinfo is None else r[3], r[4], r[6]) for r in rows]
    rules_per_txn = {}
    for flag in FRAUD_ROWS:
        rules_per_txn[flag[0]] = rules_per_txn.get(flag[0], 0) + 1
    expected = sorted(
        ((f[0], f[3], f[4], rules_per_txn[f[0]]) for f in FRAUD_ROWS),
        key=lambda r: (-r[1].timestamp(), r[0], r[2]),
    )
    assert got == expected


def _daily_with_filter(condition: str) -> str:
    daily = query_text("atm_daily_totals")
    filtered = daily.replace("AND status = 'completed'", f"AND status = 'completed'\n  AND {condition}")
    assert filtered != daily, "atm_daily_totals.sql no longer has the line the filter is added after"
    return filtered


def test_partition_column_is_usable_in_filters(athena_twin: duckdb.DuckDBPyConnection) -> None:
    """The hint in the daily query (filter on txn_date with a 'YYYY-MM-DD' string) works."""
    rows = athena_twin.execute(_daily_with_filter("txn_date >= '2024-01-16'")).fetchall()
    dates = {r[3] for r in rows}
    # The report declares txn_date a DATE (CAST in sql/reports), though the partition column is a string.
    assert dates and all(isinstance(d, date) and d >= date(2024, 1, 16) for d in dates)
    all_dates = {r[3] for r in athena_twin.execute(query_text("atm_daily_totals")).fetchall()}
    assert dates < all_dates  # the filter dropped some partitions


@pytest.mark.parametrize(
    "condition",
    [
        "txn_date >= DATE '2024-01-16'",
        "txn_date BETWEEN DATE '2024-01-01' AND DATE '2024-01-31'",
    ],
)
def test_comparing_the_partition_column_with_a_date_fails_as_on_athena(
    athena_twin: duckdb.DuckDBPyConnection, condition: str
) -> None:
    """The crawler types txn_date as a string; Trino does not compare varchar with date, nor does the twin."""
    with pytest.raises(duckdb.BinderException, match=r"VARCHAR and (type )?DATE"):
        athena_twin.execute(_daily_with_filter(condition)).fetchall()
    # What the check's fix says works on both engines (the string-literal way: the test above):
    cast = _daily_with_filter(condition.replace("txn_date", "CAST(txn_date AS DATE)", 1))
    assert athena_twin.execute(cast).fetchall()


def test_views_have_the_glue_crawler_column_types(athena_twin: duckdb.DuckDBPyConnection) -> None:
    """Hive partition folders are strings to the crawler; Parquet columns keep their Parquet types."""
    types = {name: kind for name, kind, *_ in athena_twin.execute("DESCRIBE transactions").fetchall()}
    assert types[PARTITION_COLUMN] == "VARCHAR"
    assert types["amount"] == "DECIMAL(18,2)"
    assert types["occurred_at"].startswith("TIMESTAMP")
    assert types["txn_hour"] == "INTEGER"
    assert types["is_failure"] == "BOOLEAN"
    assert types["latitude"] == "DOUBLE"
