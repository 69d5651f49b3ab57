"""The warehouse agrees with the ATM job: its real output loads, and every report matches.

Runs the ATM job (bankpipe.job.run) on the shared SparkSession twice (a first run, then an
incremental one), loads its processed zone into PostgreSQL with the warehouse load (the second load
with --run-id), and checks that each banking.v_<report> view and each Athena named query (on DuckDB)
gives exactly the report table the ATM job wrote. Three independent implementations of the same
definitions (Spark, Redshift SQL, Athena SQL) must agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from pyspark.sql import SparkSession

from bankpipe.job import JobConfig, run
from bankpipe.warehouse_jdbc import JdbcSqlExecutor, JdbcTarget
from bankpipe.warehouse_load import REPORTS, LoadOptions, load_transactions
from bankpipe.warehouse_sql import PsycopgExecutor, apply_sql_dir
from fixtures.atm_rows import build_rows, customers_rows, write_jsonl
from pg_server import PgServer, pg_server  # noqa: F401  (session fixture)
from warehouse_fixtures import REPORT_COLUMNS, normalise_report

# DuckDB 1.4.3's parallel hash aggregation split one GROUP BY COALESCE(...) key into two groups
# (seen on a clean clone); one thread gives exact groups and these inputs are small.
DUCKDB_CONFIG = {"threads": 1}

ATHENA_DIR = Path(__file__).resolve().parents[2] / "sql" / "athena"
NOW = datetime(2024, 3, 1, tzinfo=UTC)


def _spark_report(processed: Path, report: str) -> dict:
    keys, measures = REPORT_COLUMNS[report]
    folder = processed / "reports" / report
    source = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
    query = f"SELECT {', '.join(keys + measures)} FROM {source}"
    return normalise_report(report, duckdb.connect(config=DUCKDB_CONFIG).execute(query).fetchall())


def _athena_report(processed: Path, report: str) -> dict:
    connection = duckdb.connect(config=DUCKDB_CONFIG)
    connection.execute(
        "CREATE VIEW transactions AS SELECT * FROM read_parquet("
        f"'{processed}/transactions/*/*.parquet', hive_partitioning = true)"
    )
    return normalise_report(report, connection.execute((ATHENA_DIR / f"{report}.sql").read_text()).fetchall())


@pytest.mark.postgres
def test_warehouse_reports_match_the_atm_job(
    spark: SparkSession,
    pg_server: PgServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    processed, quarantine = tmp_path / "processed", tmp_path / "quarantine"
    customers = write_jsonl(tmp_path / "customers.jsonl", customers_rows(20))
    first = write_jsonl(tmp_path / "raw" / "first.jsonl", build_rows(240, seed=3))
    # The second run overlaps the first run's last day and adds later ones.
    second = write_jsonl(
        tmp_path / "raw2" / "second.jsonl",
        build_rows(120, seed=4, start=datetime(2024, 2, 1, 12, 0, tzinfo=UTC), spread_hours=48),
    )

    def atm_job(raw: Path, run_id: str) -> None:
        run(
            spark,
            JobConfig(
                input_uris=[raw.as_uri()],
                output=processed.as_uri(),
                quarantine=quarantine.as_uri(),
                run_id=run_id,
                customers=customers.as_uri(),
                now=NOW,
            ),
        )

    database = pg_server.create_database("wh_interop")
    apply_sql_dir(PsycopgExecutor(database.conninfo()))
    target = JdbcTarget(database.jdbc_url(), database.user, database.password)
    executor = JdbcSqlExecutor(spark, target)
    warehouse = PsycopgExecutor(database.conninfo())

    def check_reports() -> None:
        for report in REPORTS:
            keys, measures = REPORT_COLUMNS[report]
            in_warehouse = normalise_report(
                report, warehouse.query(f"SELECT {', '.join(keys + measures)} FROM banking.v_{report}")
            )
            expected = _spark_report(processed, report)
            assert expected, f"the ATM job wrote no {report} rows; the comparison would prove nothing"
            assert in_warehouse == expected, f"warehouse {report} differs from the ATM job's"
            assert _athena_report(processed, report) == expected, (
                f"Athena {report} differs from the ATM job's"
            )

    atm_job(first, "run-a")
    # Refreshed here as a run's refresh step does after the load.
    loaded = load_transactions(spark, processed.as_uri(), target, executor, LoadOptions(refresh_reports=True))
    assert loaded.rows_inserted == 240
    check_reports()

    atm_job(second, "run-b")
    incremental = load_transactions(
        spark, processed.as_uri(), target, executor, LoadOptions(run_id="run-b", refresh_reports=True)
    )
    assert incremental.dates and incremental.rows_staged >= 120
    assert warehouse.query("SELECT COUNT(*) FROM banking.transactions") == [(240 + 120,)]
    check_reports()
