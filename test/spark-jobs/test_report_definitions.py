"""Every report defined once (sql/reports/<report>.sql) gives the same rows and column types on every engine.

For each report the SELECT computes, over the same stored transactions (warehouse_fixtures):
- Spark: the ATM job's builder (bankpipe.reports, the generated Spark SQL) over the Parquet as the job
  reads it back;
- PostgreSQL 15 (the Redshift stand-in): the generated sql/redshift files applied, the view v_<report>;
- the Athena stand-in: the generated sql/athena/<report>.sql unchanged on DuckDB, with the crawler's
  column types (local/services/athena_standin.py).
The rows must be identical (Spark's and Athena's in the same order: both run the ORDER BY) and the
column types identical once each engine's type names are normalised. A new report is covered by its
file alone; if the fixture rows give it no rows, extend warehouse_fixtures.make_row.

It also fails when a generated file is stale: run `make reports`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pyspark.sql import DataFrame, SparkSession

from bankpipe import reports
from bankpipe.contract import ContractError, load_contract
from bankpipe.reports import REPORTS, SQL_REPORTS
from bankpipe.warehouse_sql import PsycopgExecutor, apply_sql_dir
from fixtures.paths import REPO_ROOT
from pg_server import PgServer, pg_server  # noqa: F401  (session fixture)
from warehouse_fixtures import PROCESSED_SCHEMA, fixture_rows, write_processed

sys.path.insert(0, str(REPO_ROOT / "scripts"))
sys.path.insert(0, str(REPO_ROOT / "local" / "services"))
import athena_standin as standin  # a script folder, not a package
import generate_reports
import report_sql

SQL_REPORT_NAMES = [report.name for report in SQL_REPORTS]
Result = tuple[list[str], list[tuple[Any, ...]]]  # normalised column types, rows

# ------------------------------------------------------------------ the definitions and generated files


def test_generated_files_are_current() -> None:
    stale = generate_reports.stale_files(generate_reports.expected_files(report_sql.load_reports()))
    assert stale == [], "generated report files are stale: run `make reports`"


def test_a_changed_or_orphaned_generated_file_is_found_stale() -> None:
    expected = generate_reports.expected_files(report_sql.load_reports())
    athena_query = generate_reports.ATHENA_DIR / f"{SQL_REPORT_NAMES[0]}.sql"
    expected[athena_query] += "-- edited by hand\n"
    view_file = next(p for p in expected if p.parent == generate_reports.REDSHIFT_DIR)
    del expected[view_file]
    stale = generate_reports.stale_files(expected)
    assert stale == sorted(
        [
            f"{athena_query.relative_to(REPO_ROOT)} differs",
            f"{view_file.relative_to(REPO_ROOT)} has no report",
        ]
    )


def test_every_generated_file_names_its_definition() -> None:
    for path, text in generate_reports.expected_files(report_sql.load_reports()).items():
        if path == generate_reports.LAYOUT_DOC:  # a generated table inside a hand-written page
            assert generate_reports.DOC_BEGIN in text
            continue
        head = "\n".join(text.splitlines()[:3])
        assert "sql/reports/" in head and "do not edit" in head, path


def test_the_report_list_is_the_folder() -> None:
    names = [path.stem for path in sorted(report_sql.SOURCE_DIR.glob("*.sql"))]
    assert [report.name for report in report_sql.load_reports()] == names
    assert sorted(SQL_REPORT_NAMES) == sorted(REPORTS)
    assert set(SQL_REPORT_NAMES) < set(names)  # the rest come from a module (rows from)


def _definition(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.sql"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT year FROM transactions", "first line must be '-- <description>'"),
        ("-- d\nSELECT year FROM transactions", "add '-- grain:"),
        ("-- d\n-- grain: month\nSELECT year FROM transactions", r"grain names \['month'\]"),
        ("-- d\n-- grain: year\nSELECT year FROM staging", "reads only 'transactions'"),
        ("-- d\n-- grain: year\nSELECT year FROM transactions;", "without ';'"),
        ("-- d\n-- grain: year\nSELECT year, COUNT(*) FROM transactions GROUP BY year", "name every output"),
        ("-- d\n-- grain: year\nSELECT year FROM", "not valid trino SQL"),
    ],
)
def test_a_bad_definition_is_refused_with_the_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(report_sql.ReportSourceError, match=message):
        report_sql.parse_report(_definition(tmp_path, "some_report", text))


def test_a_report_from_a_module_reads_its_own_table(tmp_path: Path) -> None:
    header = "-- d\n-- grain: id\n-- rows from: bankpipe.fraud\n"
    report = report_sql.parse_report(_definition(tmp_path, "flags", header + "SELECT id FROM flags"))
    assert not report.computed_in_sql
    with pytest.raises(report_sql.ReportSourceError, match="reads only 'flags'"):
        report_sql.parse_report(_definition(tmp_path, "flags", header + "SELECT id FROM transactions"))


_DEMO_REPORT = (
    "-- d\n-- grain: year\n{demo}SELECT year, CAST(COUNT(*) AS BIGINT) AS n FROM transactions GROUP BY year"
)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("pie n by year", "the kind is one of table, bars, columns"),
        ("table nope by year", r"names \['nope'\], which the SELECT does not output"),
        ("table n by year order by nope", r"names \['nope'\]"),
        ("table sum(n) by year order by missing", r"names \['missing'\], which the grouped rows do not have"),
        ("table year, sum(n) by year", "mix no plain columns"),
        ("table sum(n)", "an aggregate needs 'by"),
        ("bars n, year by year", "a chart shows exactly one value, 2 given"),
        ("bars n order by n", "a chart needs 'by <columns>'"),
        ("table n", "give the rows an order"),
        ("table n by year as percent", "'as percent' formats a chart"),
        ("table n by year limit 0", "limit takes a whole number of rows from 1"),
        ("table n by year on redshift", "the engine is one of warehouse, athena"),
        ("table n by year order by year sideways", "order by takes"),
    ],
)
def test_a_bad_demo_line_is_refused_with_the_fix(tmp_path: Path, line: str, message: str) -> None:
    text = _DEMO_REPORT.format(demo=f"-- demo: {line}\n")
    with pytest.raises(report_sql.ReportSourceError, match=message):
        report_sql.parse_report(_definition(tmp_path, "some_report", text))


def test_demo_lines_become_views_in_file_order(tmp_path: Path) -> None:
    lines = (
        "-- demo: table n by year order by n desc, year limit 3\n"
        "-- demo: columns sum(n) by year as percent on athena\n"
    )
    report = report_sql.parse_report(_definition(tmp_path, "some_report", _DEMO_REPORT.format(demo=lines)))
    table, chart = (view.to_json() for view in report.demo_views)
    assert table == {
        "kind": "table",
        "values": [{"column": "n", "aggregate": None, "name": "n"}],
        "by": ["year"],
        "order": [{"column": "n", "descending": True}, {"column": "year", "descending": False}],
        "limit": 3,
        "percent": False,
        "engine": "warehouse",
    }
    assert chart["values"] == [{"column": "n", "aggregate": "sum", "name": "n"}]
    assert chart["order"] == [{"column": "year", "descending": False}]
    assert (chart["percent"], chart["engine"]) == (True, "athena")
    assert report.notes == ()  # demo lines are not notes copied into the generated files


def test_a_report_from_a_module_is_shown_from_athena_only(tmp_path: Path) -> None:
    header = "-- d\n-- grain: id\n-- rows from: bankpipe.fraud\n"
    counted = report_sql.parse_report(
        _definition(tmp_path, "flags", header + "-- demo: table count(*) by id\nSELECT id FROM flags")
    )
    assert counted.demo_views[0].engine == "athena"
    with pytest.raises(report_sql.ReportSourceError, match="no warehouse view"):
        on_warehouse = "-- demo: table count(*) by id on warehouse\n"
        text = header + on_warehouse + "SELECT id FROM flags"
        report_sql.parse_report(_definition(tmp_path, "flags", text))


def test_the_job_checks_what_reports_read_against_the_contract(
    schema_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = load_contract(str(schema_path))
    reports.check_report_rules(contract)  # the definitions as they are pass
    first = SQL_REPORTS[0]
    typo = replace(first, read_columns=(*first.read_columns, "ammount"))
    monkeypatch.setattr(reports, "SQL_REPORTS", (typo,))
    with pytest.raises(ValueError, match=rf"report {first.name} reads \['ammount'\].*make reports"):
        reports.check_report_rules(contract)
    renamed_status = replace(first, compared_values=(("status", ("finished",)),))
    monkeypatch.setattr(reports, "SQL_REPORTS", (renamed_status,))
    with pytest.raises(ContractError, match=r"status values \['finished'\]"):
        reports.check_report_rules(contract)


# ------------------------------------------------------------------ the same rows and types everywhere


def _spark_type(simple: str) -> str:
    return {"int": "integer", "bigint": "bigint", "string": "string", "date": "date"}.get(simple, simple)


def _duckdb_type(name: str) -> str:
    name = name.lower()
    return {"varchar": "string"}.get(name, name.replace(" ", ""))


def _postgres_type(data_type: str, precision: int | None, scale: int | None) -> str:
    if data_type == "numeric":
        return f"decimal({precision},{scale})"
    return {"character varying": "string", "text": "string"}.get(data_type, data_type)


@pytest.fixture(scope="module")
def stored(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DataFrame]:
    processed = tmp_path_factory.mktemp("reports") / "processed"
    write_processed(spark, fixture_rows(), processed)
    # As the ATM job reads <output>/transactions: txn_date comes back from the partition folders.
    return processed, spark.read.parquet(str(processed / "transactions"))


@pytest.fixture(scope="module")
def spark_results(stored: tuple[Path, DataFrame]) -> dict[str, Result]:
    _, transactions = stored
    results = {}
    for name in SQL_REPORT_NAMES:
        frame = REPORTS[name](transactions)
        types = [_spark_type(field.dataType.simpleString()) for field in frame.schema.fields]
        results[name] = (types, [tuple(row) for row in frame.collect()])
    return results


@pytest.fixture(scope="module")
def athena_results(stored: tuple[Path, DataFrame]) -> dict[str, Result]:
    processed, _ = stored
    connection = duckdb.connect(config=standin.DUCKDB_CONFIG)
    connection.execute("SET TimeZone = 'UTC'")
    standin.create_views(connection, standin.table_folders(processed))
    results = {}
    for name in SQL_REPORT_NAMES:
        text = (generate_reports.ATHENA_DIR / f"{name}.sql").read_text(encoding="utf-8")
        relation = connection.sql(text)
        types = [_duckdb_type(str(kind)) for kind in relation.types]
        results[name] = (types, relation.fetchall())
    return results


@pytest.fixture(scope="module")
def warehouse_results(pg_server: PgServer) -> Iterator[dict[str, Result]]:  # noqa: F811
    import psycopg

    database = pg_server.create_database("report_definitions")
    apply_sql_dir(PsycopgExecutor(database.conninfo()))
    rows = fixture_rows()
    with psycopg.connect(database.conninfo()) as connection:
        table_columns = [
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'banking' AND table_name = 'transactions' ORDER BY ordinal_position"
            )
        ]
        columns = [field.name for field in PROCESSED_SCHEMA.fields if field.name in table_columns]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO banking.transactions ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                [tuple(row[c] for c in columns) for row in rows],
            )
        results = {}
        for name in SQL_REPORT_NAMES:
            connection.execute(f"REFRESH MATERIALIZED VIEW banking.mv_{name}")
            types = [
                _postgres_type(*column)
                for column in connection.execute(
                    "SELECT data_type, numeric_precision, numeric_scale FROM information_schema.columns "
                    "WHERE table_schema = 'banking' AND table_name = %s ORDER BY ordinal_position",
                    (f"v_{name}",),
                )
            ]
            results[name] = (types, list(connection.execute(f"SELECT * FROM banking.v_{name}")))
    yield results


def _sortable(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(repr(value) for value in row)


@pytest.mark.postgres
@pytest.mark.parametrize("report", SQL_REPORT_NAMES)
def test_report_is_identical_on_spark_postgres_and_athena(
    report: str,
    spark_results: dict[str, Result],
    athena_results: dict[str, Result],
    warehouse_results: dict[str, Result],
) -> None:
    spark_types, spark_rows = spark_results[report]
    athena_types, athena_rows = athena_results[report]
    warehouse_types, warehouse_rows = warehouse_results[report]
    assert spark_rows, f"the fixture rows give {report} no rows; the comparison would prove nothing"
    assert spark_types == athena_types == warehouse_types
    assert spark_rows == athena_rows  # ORDER BY included
    assert sorted(spark_rows, key=_sortable) == sorted(warehouse_rows, key=_sortable)


def test_declared_types_are_exact(spark_results: dict[str, Result]) -> None:
    """Money is DECIMAL(38,2) and rates DECIMAL(9,6) in every report that has them."""
    for report in SQL_REPORTS:
        types = dict(zip(report.columns, spark_results[report.name][0], strict=True))
        if "total_amount" in types:
            assert types["total_amount"] == "decimal(38,2)", report.name
        if "failure_rate" in types:
            assert types["failure_rate"] == "decimal(9,6)", report.name
            rates = [row[report.columns.index("failure_rate")] for row in spark_results[report.name][1]]
            assert all(isinstance(rate, Decimal) and re.fullmatch(r"\d\.\d{6}", str(rate)) for rate in rates)
