"""Warehouse load: pure transforms on the shared SparkSession, then real loads into PostgreSQL 15."""

from __future__ import annotations

import copy
import dataclasses
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T  # noqa: N812 (Spark convention)

from bankpipe.warehouse_credentials import LOADER_DB_GROUP, LOADER_DB_ROLE
from bankpipe.warehouse_jdbc import JdbcSqlExecutor, JdbcTarget, driver_class_for
from bankpipe.warehouse_load import (
    COPY_COLUMN_ADVICE,
    REPORTS,
    LoadOptions,
    WarehouseColumn,
    build_delete_missing_sql,
    build_merge_sql,
    build_staging_frame,
    columns_from_information_schema,
    fetch_table_columns,
    keep_latest_per_key,
    load_transactions,
    parse_dates,
    read_processed_transactions,
    select_partitions,
    staging_problems,
)
from bankpipe.warehouse_sql import PsycopgExecutor, apply_sql_dir
from fixtures.paths import REPO_ROOT
from pg_server import PgServer, pg_server  # noqa: F401  (session fixture)
from warehouse_fixtures import (
    PROCESSED_SCHEMA,
    REPORT_COLUMNS,
    Row,
    expected_normalised,
    fixture_rows,
    make_row,
    normalise_report,
    write_processed,
)

JARS_DIR = REPO_ROOT / ".local" / "jars"

# A hand-written slice of the table, for the pure tests that need no database.
SMALL_COLUMNS = [
    WarehouseColumn("transaction_id", "character varying", False, 128),
    WarehouseColumn("amount", "numeric", False, None, 18, 2),
    WarehouseColumn("txn_hour", "smallint", False),
    WarehouseColumn("message_text", "character varying", True, 20),
    WarehouseColumn("not_in_processed", "character varying", True, 10),
]


def _frame(spark: SparkSession, rows: list[dict[str, Any]]):
    return spark.createDataFrame(
        [tuple(row[f.name] for f in PROCESSED_SCHEMA.fields) for row in rows], PROCESSED_SCHEMA
    )


# ------------------------------------------------------------------ pure parts


def test_parse_dates() -> None:
    assert parse_dates(None) == ()
    assert parse_dates(" 2024-01-02, 2024-01-01,2024-01-02") == (date(2024, 1, 1), date(2024, 1, 2))
    with pytest.raises(ValueError, match=r"'2024-13-01' in --dates is not YYYY-MM-DD"):
        parse_dates("2024-13-01")


def test_load_options_reject_both_selections() -> None:
    with pytest.raises(ValueError, match="either --dates or --run-id"):
        LoadOptions(dates=(date(2024, 1, 1),), run_id="r1")


def test_columns_from_information_schema_and_type_mapping() -> None:
    columns = columns_from_information_schema(
        [
            ("transaction_id", "character varying", "NO", 128, None, None),
            ("amount", "numeric", "NO", None, 18, 2),
            ("occurred_at", "timestamp with time zone", "NO", None, None, None),
            ("gender", "character varying", "YES", 16, None, None),
        ]
    )
    assert [c.spark_type for c in columns] == [
        T.StringType(),
        T.DecimalType(18, 2),
        T.TimestampType(),
        T.StringType(),
    ]
    assert [c.nullable for c in columns] == [False, False, False, True]
    with pytest.raises(ValueError, match="type 'super' has no Spark mapping"):
        _ = WarehouseColumn("payload", "super", True).spark_type
    with pytest.raises(ValueError, match="only lower-case unquoted identifiers"):
        columns_from_information_schema([("Bad Name", "integer", "YES", None, None, None)])


def test_merge_sql_updates_every_non_key_column_and_inserts_all() -> None:
    sql = build_merge_sql(SMALL_COLUMNS)
    assert sql.startswith("MERGE INTO banking.transactions\nUSING banking.stg_transactions AS stg\n")
    assert "ON banking.transactions.transaction_id = stg.transaction_id" in sql
    update = sql.split("WHEN MATCHED THEN UPDATE SET", 1)[1].split("WHEN NOT MATCHED", 1)[0]
    assert "transaction_id =" not in update  # the key is never rewritten
    assert [line.strip().rstrip(",") for line in update.strip().splitlines()] == [
        f"{c.name} = stg.{c.name}" for c in SMALL_COLUMNS[1:]
    ]
    assert "INSERT (transaction_id, amount, txn_hour, message_text, not_in_processed)" in sql
    assert (
        "VALUES (stg.transaction_id, stg.amount, stg.txn_hour, stg.message_text, stg.not_in_processed)" in sql
    )
    with pytest.raises(ValueError, match="key column transaction_id"):
        build_merge_sql(SMALL_COLUMNS[1:])
    with pytest.raises(ValueError, match=r"schema\.table"):
        build_merge_sql(SMALL_COLUMNS, target="transactions; DROP TABLE x")


def test_delete_of_missing_rows_is_scoped_to_the_staged_dates() -> None:
    sql = build_delete_missing_sql((date(2024, 2, 1), date(2024, 1, 16), date(2024, 2, 1)))
    assert sql == (
        "DELETE FROM banking.transactions WHERE txn_date IN (DATE '2024-01-16', DATE '2024-02-01') "
        "AND transaction_id NOT IN (SELECT transaction_id FROM banking.stg_transactions)"
    )
    with pytest.raises(ValueError, match="would empty the table"):
        build_delete_missing_sql(())


def test_staging_frame_follows_the_table_columns(spark: SparkSession) -> None:
    staging = build_staging_frame(_frame(spark, [make_row(0, date(2024, 1, 1), "r1")]), SMALL_COLUMNS)
    assert staging.columns == [c.name for c in SMALL_COLUMNS]
    assert [f.dataType for f in staging.schema.fields] == [c.spark_type for c in SMALL_COLUMNS]
    row = staging.first()
    assert row is not None
    assert row["amount"] == make_row(0, date(2024, 1, 1), "r1")["amount"]
    assert row["not_in_processed"] is None  # missing nullable column -> NULL


def test_staging_frame_requires_not_null_columns(spark: SparkSession) -> None:
    frame = _frame(spark, [make_row(0, date(2024, 1, 1), "r1")]).drop("amount")
    with pytest.raises(ValueError, match=r"lack required warehouse column.*Redshift cannot drop NOT NULL"):
        build_staging_frame(frame, SMALL_COLUMNS)


def test_duplicates_keep_the_highest_run(spark: SparkSession) -> None:
    base = make_row(1, date(2024, 1, 1), "run-1")
    newer = {**base, "run_id": "run-2", "status": "reversed"}
    other = make_row(2, date(2024, 1, 1), "run-1")
    kept = keep_latest_per_key(_frame(spark, [base, newer, other])).collect()
    assert sorted((r["transaction_id"], r["run_id"], r["status"]) for r in kept) == [
        (base["transaction_id"], "run-2", "reversed"),
        (other["transaction_id"], "run-1", other["status"]),
    ]


def test_staging_problems_name_the_column(spark: SparkSession) -> None:
    row = {**make_row(3, date(2024, 1, 1), "r1"), "message_text": "fits"}
    too_long = {**make_row(4, date(2024, 1, 1), "r1"), "message_text": "é" * 11}  # 11 chars, 22 bytes
    rows, problems = staging_problems(_frame(spark, [row, too_long]), SMALL_COLUMNS)
    assert rows == 2
    assert problems == [
        "column message_text: a value is 22 bytes, over VARCHAR(20); fix the source or widen the column: "
        "run ALTER TABLE banking.transactions ALTER COLUMN message_text TYPE VARCHAR(22); "
        "ALTER TABLE banking.stg_transactions ALTER COLUMN message_text TYPE VARCHAR(22) by hand, each as a "
        "statement of its own outside any transaction (not in a sql/redshift file: each file runs as one "
        "transaction, where Redshift rejects ALTER COLUMN; and never on the key transaction_id), then write "
        "the new width into 010_transactions.sql so a new warehouse gets it too; or, " + COPY_COLUMN_ADVICE
    ]
    # The advice itself names only what Redshift runs: no ALTER COLUMN inside a sql/redshift file.
    assert "add a column of the new definition (one ADD COLUMN per ALTER TABLE)" in COPY_COLUMN_ADVICE
    assert "create the table under a new name and INSERT ... SELECT" in COPY_COLUMN_ADVICE
    huge = {
        **row,
        "amount": Decimal("123456789012.00"),
    }  # fits the processed DECIMAL(18,2), not DECIMAL(10,2)
    columns = [*SMALL_COLUMNS[:1], WarehouseColumn("amount", "numeric", False, None, 10, 2)]
    _, problems = staging_problems(_frame(spark, [huge]), columns)
    assert problems == [
        "column amount: 1 row(s) are NULL but the warehouse requires a value",
        "column amount: 1 value(s) do not convert to decimal(10,2); fix the source, or give the column a "
        "wider type: " + COPY_COLUMN_ADVICE,
    ]


def test_partition_selection_by_dates_and_by_run(spark: SparkSession, tmp_path: Path) -> None:
    uri = write_processed(spark, fixture_rows(), tmp_path / "processed")
    frame = read_processed_transactions(spark, uri)
    selected, dates = select_partitions(frame, LoadOptions(dates=(date(2024, 1, 15),)))
    assert dates == (date(2024, 1, 15),)
    assert {r["txn_date"] for r in selected.select("txn_date").collect()} == {date(2024, 1, 15)}
    by_run, run_dates = select_partitions(frame, LoadOptions(run_id="run-2"))
    assert run_dates == (date(2024, 2, 1),)
    assert by_run.count() == sum(1 for r in fixture_rows() if r["run_id"] == "run-2")
    _, none = select_partitions(frame, LoadOptions(run_id="no-such-run"))
    assert none == ()


def test_missing_processed_zone_is_a_clear_error(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no processed transactions at .*check --processed"):
        read_processed_transactions(spark, (tmp_path / "nothing").as_uri())


def test_driver_is_chosen_from_the_url() -> None:
    assert driver_class_for("jdbc:redshift://h:5439/dev") == "com.amazon.redshift.jdbc42.Driver"
    assert driver_class_for("jdbc:postgresql://127.0.0.1:5432/x") == "org.postgresql.Driver"
    with pytest.raises(ValueError, match="'jdbc:mysql://h/db' is not supported"):
        driver_class_for("jdbc:mysql://h/db?password=secret")


# ------------------------------------------------------------------ against PostgreSQL 15


@dataclass
class Warehouse:
    server: PgServer
    psycopg: PsycopgExecutor
    target: JdbcTarget

    def rows(self) -> list[tuple[Any, ...]]:
        return self.psycopg.query("SELECT * FROM banking.transactions ORDER BY transaction_id")

    def report(self, name: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        keys, measures = REPORT_COLUMNS[name]
        return normalise_report(
            name, self.psycopg.query(f"SELECT {', '.join(keys + measures)} FROM banking.v_{name}")
        )


@pytest.fixture
def warehouse(pg_server: PgServer, request: pytest.FixtureRequest) -> Warehouse:  # noqa: F811
    if not list(JARS_DIR.glob("postgresql-*.jar")):
        pytest.fail(
            f"no postgresql-*.jar in {JARS_DIR}: run `mvn -q -f spark-jobs/jdbc/pom.xml "
            "dependency:copy-dependencies -DoutputDirectory=.local/jars` before the tests"
        )
    database = pg_server.create_database("wh_" + request.node.name.removeprefix("test_")[:40])
    executor = PsycopgExecutor(database.conninfo())
    apply_sql_dir(executor)
    return Warehouse(database, executor, JdbcTarget(database.jdbc_url(), database.user, database.password))


class RecordingExecutor(JdbcSqlExecutor):
    """The load's JDBC executor, remembering every statement it ran (auto-commit or in a transaction)."""

    def __init__(self, spark: SparkSession, target: JdbcTarget) -> None:
        super().__init__(spark, target)
        self.statements: list[str] = []

    def execute(self, statement: str) -> None:
        self.statements.append(statement)
        super().execute(statement)

    def execute_in_transaction(self, statements: Sequence[str]) -> None:
        self.statements.extend(statements)
        super().execute_in_transaction(statements)

    def refreshes(self) -> list[str]:
        prefix = "REFRESH MATERIALIZED VIEW "
        return [s.removeprefix(prefix) for s in self.statements if s.startswith(prefix)]


def _load(
    spark: SparkSession,
    warehouse: Warehouse,
    uri: str,
    options: LoadOptions | None = None,
    refresh: bool = True,
):
    """Load, then refresh the reports as a run's next step does (these tests read the reports)."""
    options = dataclasses.replace(options or LoadOptions(), refresh_reports=refresh)
    return load_transactions(spark, uri, warehouse.target, JdbcSqlExecutor(spark, warehouse.target), options)


def _expected_table_rows(rows: list[dict[str, Any]], columns: list[str]) -> list[tuple[Any, ...]]:
    return sorted((tuple(row[c] for c in columns) for row in rows), key=lambda r: r[0])


@pytest.mark.postgres
def test_load_twice_gives_the_same_rows(spark: SparkSession, warehouse: Warehouse, tmp_path: Path) -> None:
    rows = fixture_rows()
    uri = write_processed(spark, rows, tmp_path / "processed")

    first = _load(spark, warehouse, uri)
    assert (first.rows_staged, first.rows_matched, first.rows_inserted) == (len(rows), 0, len(rows))
    assert first.dates is None
    assert first.refreshed == tuple(f"banking.mv_{r}" for r in REPORTS)  # _load asks for the refresh
    after_first = warehouse.rows()

    columns = [c.name for c in fetch_table_columns(warehouse.psycopg)]
    assert "scratch_column" not in columns
    # Every value survives the trip: timestamps as the same instant, decimals exact, NULLs kept.
    assert after_first == _expected_table_rows(rows, columns)

    second = _load(spark, warehouse, uri)
    assert (second.rows_staged, second.rows_matched, second.rows_inserted) == (len(rows), len(rows), 0)
    assert warehouse.rows() == after_first


@pytest.mark.postgres
def test_the_load_refreshes_each_report_once_only_when_asked(
    spark: SparkSession, warehouse: Warehouse, tmp_path: Path
) -> None:
    """A run refreshes each report once: by default the load leaves them to the run's refresh step."""
    rows = fixture_rows()
    uri = write_processed(spark, rows, tmp_path / "processed")

    default = RecordingExecutor(spark, warehouse.target)
    result = load_transactions(spark, uri, warehouse.target, default)
    assert LoadOptions().refresh_reports is False
    assert default.refreshes() == [] and result.refreshed == ()
    assert result.rows_inserted == len(rows)
    assert warehouse.report("yearly_trend") == {}  # stale until the refresh step runs

    asked = RecordingExecutor(spark, warehouse.target)
    result = load_transactions(spark, uri, warehouse.target, asked, LoadOptions(refresh_reports=True))
    views = [f"banking.mv_{report}" for report in REPORTS]
    assert asked.refreshes() == views  # each exactly once, in file order
    assert result.refreshed == tuple(views)
    assert warehouse.report("yearly_trend") == expected_normalised("yearly_trend", rows)


@pytest.mark.postgres
@pytest.mark.parametrize("grantee", [LOADER_DB_GROUP, LOADER_DB_ROLE])
def test_the_load_runs_as_a_member_of_the_loader_group_or_role_and_can_do_nothing_more(
    spark: SparkSession, warehouse: Warehouse, tmp_path: Path, grantee: str
) -> None:
    """The grants of sql/redshift are all the load needs: it runs as a login in group bank_loader
    (provisioned: GetClusterCredentials DbGroups) or in role bank_loader_role (serverless:
    the RedshiftDbRoles tag); both hold the same grants."""
    # Roles are cluster-wide: another test's database may have left this one behind.
    warehouse.psycopg.execute("DROP ROLE IF EXISTS wh_test_loader")
    warehouse.psycopg.execute(f"CREATE ROLE wh_test_loader LOGIN PASSWORD 'loader-pw' IN ROLE {grantee}")
    loader = JdbcTarget(warehouse.server.jdbc_url(), "wh_test_loader", "loader-pw")
    rows = fixture_rows()
    uri = write_processed(spark, rows, tmp_path / "processed")

    first = load_transactions(spark, uri, loader, JdbcSqlExecutor(spark, loader))
    again = load_transactions(spark, uri, loader, JdbcSqlExecutor(spark, loader))
    assert (first.rows_inserted, again.rows_matched) == (len(rows), len(rows))
    assert len(warehouse.rows()) == len(rows)

    server = warehouse.server
    as_loader = PsycopgExecutor(
        PgServer(server.host, server.port, "wh_test_loader", "loader-pw", server.database).conninfo()
    )
    with pytest.raises(Exception, match="must be owner of materialized view mv_yearly_trend"):
        as_loader.execute("REFRESH MATERIALIZED VIEW banking.mv_yearly_trend")
    with pytest.raises(Exception, match="permission denied for view v_yearly_trend"):
        as_loader.query("SELECT COUNT(*) FROM banking.v_yearly_trend")
    with pytest.raises(Exception, match="must be owner of table stg_transactions"):
        as_loader.execute("DROP TABLE banking.stg_transactions")


@pytest.mark.postgres
def test_reporting_views_give_the_known_answers(
    spark: SparkSession, warehouse: Warehouse, tmp_path: Path
) -> None:
    rows = fixture_rows()
    _load(spark, warehouse, write_processed(spark, rows, tmp_path / "processed"))
    for report in REPORTS:
        expected = expected_normalised(report, rows)
        assert expected, f"fixture gives no rows for {report}; the test would prove nothing"
        assert warehouse.report(report) == expected, report
    # The rates are not trivially 0 or 1 in the fixture.
    rates = {values[2] for values in warehouse.report("atm_failure_rates").values()}
    assert any(Decimal(0) < rate < Decimal(1) for rate in rates)


def _load_fixture(spark: SparkSession, warehouse: Warehouse, tmp_path: Path) -> tuple[list[Row], Path, str]:
    """The fixture rows written to a processed zone and loaded once: (rows, processed root, URI)."""
    rows = fixture_rows()
    processed = tmp_path / "processed"
    uri = write_processed(spark, rows, processed)
    _load(spark, warehouse, uri)
    return rows, processed, uri


def _replace_day(
    spark: SparkSession, processed: Path, rows: list[Row], day: date, new_rows: list[Row]
) -> None:
    """Rewrite the processed zone as a rerun would: ``day`` now holds ``new_rows`` (which may add other
    days); a static-mode overwrite replaces every partition, so the untouched ones are written back."""
    write_processed(spark, new_rows, processed, mode="overwrite")
    write_processed(spark, [r for r in rows if r["txn_date"] != day], processed, mode="append")


@pytest.mark.postgres
def test_incremental_run_updates_changed_rows_and_refreshes_reports(
    spark: SparkSession, warehouse: Warehouse, tmp_path: Path
) -> None:
    rows, processed, uri = _load_fixture(spark, warehouse, tmp_path)

    # run-3 rewrites the 2024-02-01 partition (one transaction now reversed) and adds 2024-02-02.
    rewritten = [copy.deepcopy(r) for r in rows if r["txn_date"] == date(2024, 2, 1)]
    for row in rewritten:
        row["run_id"] = "run-3"
    changed = next(r for r in rewritten if r["status"] == "completed")
    changed["status"] = "reversed"
    added = [make_row(900 + i, date(2024, 2, 2), "run-3") for i in range(3)]
    _replace_day(spark, processed, rows, date(2024, 2, 1), rewritten + added)
    untouched = [r for r in rows if r["txn_date"] != date(2024, 2, 1)]

    before = {r[0]: r for r in warehouse.rows()}
    result = _load(spark, warehouse, uri, LoadOptions(run_id="run-3"))
    assert result.dates == ("2024-02-01", "2024-02-02")
    assert (result.rows_staged, result.rows_matched, result.rows_inserted) == (
        len(rewritten) + len(added),
        len(rewritten),
        len(added),
    )
    after = {r[0]: r for r in warehouse.rows()}
    assert len(after) == len(rows) + len(added)
    columns = [c.name for c in fetch_table_columns(warehouse.psycopg)]
    status, run_id = columns.index("status"), columns.index("run_id")
    assert after[changed["transaction_id"]][status] == "reversed"
    assert after[changed["transaction_id"]][run_id] == "run-3"
    for transaction_id, row in before.items():
        if row[columns.index("txn_date")] != date(2024, 2, 1):
            assert after[transaction_id] == row  # other partitions untouched

    current = untouched + rewritten + added
    for report in REPORTS:
        assert warehouse.report(report) == expected_normalised(report, current), report


@pytest.mark.postgres
def test_rerun_that_drops_a_transaction_deletes_it_from_the_warehouse(
    spark: SparkSession, warehouse: Warehouse, tmp_path: Path
) -> None:
    rows, processed, uri = _load_fixture(spark, warehouse, tmp_path)

    # run-3 replaces the 2024-02-01 partition without one of its transactions (e.g. the ATM job was
    # rerun with corrected input): the warehouse must not keep the row the processed zone lost.
    day = date(2024, 2, 1)
    rewritten = [copy.deepcopy(r) for r in rows if r["txn_date"] == day]
    assert len(rewritten) >= 2, "the fixture needs two rows on the rewritten day"
    dropped = rewritten.pop()
    for row in rewritten:
        row["run_id"] = "run-3"
    _replace_day(spark, processed, rows, day, rewritten)
    untouched = [r for r in rows if r["txn_date"] != day]

    result = _load(spark, warehouse, uri, LoadOptions(run_id="run-3"))
    assert (result.dates, result.rows_deleted, result.rows_inserted) == (("2024-02-01",), 1, 0)
    stored = {row[0] for row in warehouse.rows()}
    assert stored == {r["transaction_id"] for r in untouched + rewritten}
    assert dropped["transaction_id"] not in stored
    current = untouched + rewritten
    for report in REPORTS:
        assert warehouse.report(report) == expected_normalised(report, current), report

    again = _load(spark, warehouse, uri, LoadOptions(run_id="run-3"))
    assert again.rows_deleted == 0
    assert {row[0] for row in warehouse.rows()} == stored


@pytest.mark.postgres
def test_dates_option_loads_only_those_partitions(
    spark: SparkSession, warehouse: Warehouse, tmp_path: Path
) -> None:
    rows = fixture_rows()
    uri = write_processed(spark, rows, tmp_path / "processed")
    result = _load(spark, warehouse, uri, LoadOptions(dates=(date(2023, 12, 31), date(2024, 1, 16))))
    wanted = {date(2023, 12, 31), date(2024, 1, 16)}
    assert result.rows_inserted == sum(1 for r in rows if r["txn_date"] in wanted)
    loaded_dates = {
        row[0] for row in warehouse.psycopg.query("SELECT DISTINCT txn_date FROM banking.transactions")
    }
    assert loaded_dates == wanted


@pytest.mark.postgres
def test_bad_rows_stop_the_load_before_anything_changes(
    spark: SparkSession, warehouse: Warehouse, tmp_path: Path
) -> None:
    rows = fixture_rows()
    _load(spark, warehouse, write_processed(spark, rows, tmp_path / "good"))
    before = warehouse.rows()
    bad = [copy.deepcopy(r) for r in rows[:3]]
    bad[0]["atm_location"] = "x" * 600  # VARCHAR(512)
    bad[1]["status"] = "reversed"  # a legitimate change that must not land either
    with pytest.raises(ValueError, match=r"column atm_location: a value is 600 bytes, over VARCHAR\(512\)"):
        _load(spark, warehouse, write_processed(spark, bad, tmp_path / "bad"))
    assert warehouse.rows() == before


@pytest.mark.postgres
def test_local_entry_point_end_to_end(spark: SparkSession, pg_server: PgServer, tmp_path: Path) -> None:  # noqa: F811
    """The exact command of the local twin, in its own process (its own SparkSession)."""
    database = pg_server.create_database("wh_cli")
    rows = fixture_rows()
    uri = write_processed(spark, rows, tmp_path / "processed")
    command = [
        sys.executable,
        str(REPO_ROOT / "spark-jobs" / "load_warehouse_local.py"),
        "--processed", uri,
        "--jdbc-url", database.jdbc_url(),
        "--user", database.user,
        "--password-env", "TEST_WAREHOUSE_PASSWORD",
        "--apply-ddl",
        "--refresh",
        "--master", "local[1]",
    ]  # fmt: skip
    environment = {**os.environ, "TEST_WAREHOUSE_PASSWORD": database.password}
    result = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'"rows_inserted": {len(rows)}' in result.stdout
    executor = PsycopgExecutor(database.conninfo())
    assert executor.query("SELECT COUNT(*) FROM banking.transactions") == [(len(rows),)]
    assert normalise_report(
        "yearly_trend", executor.query("SELECT year, txn_count, total_amount FROM banking.v_yearly_trend")
    ) == expected_normalised("yearly_trend", rows)
