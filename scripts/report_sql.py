"""The report definitions, sql/reports/<report>.sql, and their SQL for every engine (sqlglot).

Each file is one report: a header of ``--`` lines, then ONE SELECT in Trino's dialect (Athena's), with
every output column's type written as a CAST so that the types are the same on every engine:

    -- <description: one line, the Athena named query's description>
    -- grain: <the output columns that identify a row>
    -- requires: <column>      optional: the ATM job rewrites the report only when a stored
    --                         transaction has a value in that column
    -- rows from: <module>     optional: the ATM job writes the report table with that Python module;
    --                         the SELECT reads the table (Athena named query only)
    -- demo: <view>          optional, repeatable: how the local twin's demo shows the report, a
    --                         table or a chart (scripts/report_demo_views.py has the syntax)
    -- <any other comment line: notes, copied into the generated files>
    SELECT ...

The report's name is the file's name. A report without ``rows from`` reads the table
``transactions`` and runs on Spark (the ATM job), Redshift/PostgreSQL (a materialized view) and
Athena/DuckDB (a named query); ``scripts/generate_reports.py`` writes the files those engines read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import sqlglot
from repo_root import REPO_ROOT
from report_demo_views import DemoView, DemoViewError, parse_demo_view
from sqlglot import exp

SOURCE_DIR = REPO_ROOT / "sql" / "reports"
SOURCE_DIALECT = "trino"
INPUT_TABLE = "transactions"
WAREHOUSE_SCHEMA = "banking"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER_KEY = re.compile(r"^--\s*(grain|requires|rows from):\s*(.*?)\s*$")
_DEMO_LINE = re.compile(r"^--\s*demo:\s*(.*?)\s*$")


class ReportSourceError(ValueError):
    """A report file that cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class ReportSource:
    name: str
    path: Path
    description: str
    grain: tuple[str, ...]
    requires: str | None
    rows_from: str | None
    notes: tuple[str, ...]
    select_text: str
    demo_lines: tuple[str, ...] = ()

    @cached_property
    def query(self) -> exp.Query:
        return sqlglot.parse_one(self.select_text, read=SOURCE_DIALECT)  # type: ignore[return-value]

    @property
    def computed_in_sql(self) -> bool:
        """True when the SELECT computes the report from transactions (Spark, warehouse and Athena)."""
        return self.rows_from is None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(projection.alias_or_name for projection in self.query.selects)

    @cached_property
    def demo_views(self) -> tuple[DemoView, ...]:
        """How the twin's demo shows the report (its ``-- demo:`` lines, in file order)."""
        return tuple(parse_demo_view(line, self.columns, self.computed_in_sql) for line in self.demo_lines)

    @property
    def read_tables(self) -> tuple[str, ...]:
        return tuple(sorted({table.name for table in self.query.find_all(exp.Table)}))

    def athena_sql(self) -> str:
        """The named query: the SELECT as Trino writes it, ORDER BY included."""
        return self.query.sql(dialect="trino", pretty=True)

    def duckdb_sql(self, table: str = INPUT_TABLE) -> str:
        return _renamed(self.query, {INPUT_TABLE: table}).sql(dialect="duckdb", pretty=True)

    def warehouse_select(self) -> str:
        """The materialized view's SELECT (Redshift; PostgreSQL runs it unchanged): no ORDER BY."""
        query = _renamed(self.query, {INPUT_TABLE: f"{WAREHOUSE_SCHEMA}.{INPUT_TABLE}"})
        query.set("order", None)
        return query.sql(dialect="redshift", pretty=True)

    def spark_sql(self) -> str:
        """Spark SQL reading ``{transactions}``: ``spark.sql(text, transactions=frame)`` fills it in."""
        placeholder = "__report_input__"
        text = _renamed(self.query, {INPUT_TABLE: placeholder}).sql(dialect="spark", pretty=True)
        return text.replace("{", "{{").replace("}", "}}").replace(placeholder, "{" + INPUT_TABLE + "}")

    @property
    def read_columns(self) -> tuple[str, ...]:
        """Input columns the SELECT reads (ORDER BY may name output columns: not counted)."""
        return tuple(
            sorted(
                {
                    column.name
                    for column in self.query.find_all(exp.Column)
                    if column.find_ancestor(exp.Order) is None
                }
            )
        )

    def compared_values(self) -> dict[str, tuple[str, ...]]:
        """String literals the SELECT compares a column with (``c = 'x'``, ``c IN ('x', ...)``).

        The ATM job checks them against the contract's enums, so a renamed status fails the job's
        start instead of emptying a report.
        """
        found: dict[str, set[str]] = {}
        for node in self.query.find_all(exp.EQ, exp.In):
            column = node.this if isinstance(node, exp.In) else node.left
            values = node.expressions if isinstance(node, exp.In) else [node.right]
            if isinstance(column, exp.Column):
                for value in values:
                    if isinstance(value, exp.Literal) and value.is_string:
                        found.setdefault(column.name, set()).add(value.this)
        return {column: tuple(sorted(values)) for column, values in sorted(found.items())}


def _renamed(query: exp.Query, tables: dict[str, str]) -> exp.Query:
    copy = query.copy()
    for table in copy.find_all(exp.Table):
        target = tables.get(table.name)
        if target is not None:
            table.replace(exp.to_table(target))
    return copy


def parse_report(path: Path) -> ReportSource:
    name = path.stem
    if not _NAME.match(name):
        raise ReportSourceError(
            f"{path}: a report's file name is its table name; use lower case letters, digits and _"
        )
    header: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and lines[0].startswith("--"):
        header.append(lines.pop(0))
    select_text = "\n".join(lines).strip()
    if not header:
        raise ReportSourceError(f"{path}: the first line must be '-- <description>' (the named query's)")
    description = header[0].removeprefix("--").strip()
    keys: dict[str, str] = {}
    notes: list[str] = []
    demo_lines: list[str] = []
    for line in header[1:]:
        match = _HEADER_KEY.match(line)
        demo = _DEMO_LINE.match(line)
        if demo:
            demo_lines.append(demo[1])
        elif match:
            keys[match[1]] = match[2]
        else:
            notes.append(line.removeprefix("--").strip())
    if "grain" not in keys:
        raise ReportSourceError(f"{path}: add '-- grain: <columns that identify a row>' to the header")
    report = ReportSource(
        name=name,
        path=path,
        description=description,
        grain=tuple(column.strip() for column in keys["grain"].split(",")),
        requires=keys.get("requires") or None,
        rows_from=keys.get("rows from") or None,
        notes=tuple(notes),
        select_text=select_text,
        demo_lines=tuple(demo_lines),
    )
    _check(report)
    return report


def _check(report: ReportSource) -> None:
    where = report.path
    if report.select_text.rstrip().endswith(";"):
        raise ReportSourceError(f"{where}: end the SELECT without ';' (one statement per file)")
    try:
        statements = sqlglot.parse(report.select_text, read=SOURCE_DIALECT)
    except sqlglot.errors.ParseError as error:
        raise ReportSourceError(f"{where}: not valid {SOURCE_DIALECT} SQL: {error}") from error
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ReportSourceError(f"{where}: hold exactly one SELECT after the header")
    unnamed = [p.sql() for p in report.query.selects if not isinstance(p, exp.Alias | exp.Column)]
    if unnamed:
        raise ReportSourceError(f"{where}: name every output column (AS <name>), not {unnamed}")
    missing = [column for column in report.grain if column not in report.columns]
    if missing:
        raise ReportSourceError(f"{where}: grain names {missing}, which the SELECT does not output")
    try:
        report.demo_views  # noqa: B018 - parsed here so that a bad line fails `make reports`
    except DemoViewError as error:
        raise ReportSourceError(f"{where}: {error}") from error
    expected_tables = (report.name,) if report.rows_from else (INPUT_TABLE,)
    if report.read_tables != expected_tables:
        raise ReportSourceError(
            f"{where}: reads {list(report.read_tables)}; a report reads only {expected_tables[0]!r}"
            + (" (its own table, written by the 'rows from' module)" if report.rows_from else "")
        )


def load_reports(source_dir: Path = SOURCE_DIR) -> list[ReportSource]:
    """Every report, sorted by name: the one list of reports, derived from the files."""
    paths = sorted(source_dir.glob("*.sql"))
    if not paths:
        raise ReportSourceError(f"no report files in {source_dir}: add one <report>.sql per report")
    return [parse_report(path) for path in paths]
