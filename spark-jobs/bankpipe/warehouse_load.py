"""Load processed transactions into the warehouse: staging table, MERGE, reporting refresh.

    <processed>/transactions/txn_date=YYYY-MM-DD/*.parquet
      -> select partitions (all, --dates, or the dates a --run-id touched)
      -> keep one row per transaction_id, cast to the warehouse table's columns, validate
      -> DELETE FROM banking.stg_transactions; append through Spark JDBC
      -> one transaction: DELETE the rows of the staged txn_dates that staging no longer has,
         then MERGE INTO banking.transactions USING banking.stg_transactions ON transaction_id
      -> only when asked (refresh_reports): REFRESH MATERIALIZED VIEW banking.mv_<report> for each report

A run refreshes the reports once, in the step after the load (the refresh-reports Lambda on AWS and
in the local twin's run), so the load leaves them alone unless asked: a manual load that should
update the reports by itself passes refresh_reports=True (local CLI: --refresh).

Idempotent: the MERGE updates rows it already has and inserts the others, so a rerun of the same
partitions leaves the same rows. The warehouse mirrors each partition it loads: when a rerun of the
ATM job replaced a date partition and a transaction is no longer in it, the load deletes that row
too. Dates with no row in the processed zone are left alone (an empty selection more likely means a
wrong path than an intended deletion). With --run-id, the scope is the dates the run still has rows
on: a date where a rerun left none of its rows is not reloaded; load it with --dates to mirror it.
``rows_deleted`` is counted just before the transaction that deletes (one load runs at a time).

The warehouse table definition (sql/redshift/010_transactions.sql) is read from information_schema at
run time and drives the casts and the MERGE column list, so the DDL is the only place that lists the
columns.

The functions are plain DataFrame/str transforms so tests run them on a local SparkSession; the two
entry points (glue_load_warehouse.py on AWS, load_warehouse_local.py locally) only gather settings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)
from pyspark.sql import types as T  # noqa: N812 (Spark convention)
from pyspark.sql.utils import AnalysisException

from bankpipe.layout import pipeline_layout
from bankpipe.reports import SQL_REPORTS
from bankpipe.warehouse_jdbc import JdbcTarget, write_append
from bankpipe.warehouse_sql import SqlExecutor

LOG = logging.getLogger(__name__)

SCHEMA = "banking"
TARGET_TABLE = f"{SCHEMA}.transactions"
STAGING_TABLE = f"{SCHEMA}.stg_transactions"
KEY_COLUMN = "transaction_id"
PARTITION_COLUMN = "txn_date"
STAGING_ALIAS = "stg"

# Reports kept as materialized views banking.mv_<report>: those sql/reports computes in SQL (their
# views are generated into sql/redshift/1NN_report_<report>.sql); a test checks them against the files.
REPORTS = tuple(report.name for report in SQL_REPORTS)
REPORT_MATERIALIZED_VIEWS = tuple(f"{SCHEMA}.mv_{report}" for report in REPORTS)

# When the processed zone holds the same transaction twice (e.g. a run appended instead of
# overwriting a partition), the row with the highest run_id, then source_file, wins. Any fixed
# order would do; what matters is that a rerun picks the same row.
DEDUP_ORDER = ("run_id", "source_file")

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class WarehouseColumn:
    """One column of the warehouse table, as information_schema.columns describes it."""

    name: str
    data_type: str
    nullable: bool
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None

    @property
    def spark_type(self) -> T.DataType:
        simple: dict[str, T.DataType] = {
            "character varying": T.StringType(),
            "character": T.StringType(),
            "text": T.StringType(),
            "smallint": T.ShortType(),
            "integer": T.IntegerType(),
            "bigint": T.LongType(),
            "boolean": T.BooleanType(),
            "double precision": T.DoubleType(),
            "real": T.FloatType(),
            "date": T.DateType(),
            "timestamp with time zone": T.TimestampType(),
            "timestamp without time zone": T.TimestampType(),
        }
        if self.data_type == "numeric":
            if self.precision is None or self.scale is None:
                raise ValueError(f"column {self.name}: NUMERIC without precision/scale; declare DECIMAL(p,s)")
            return T.DecimalType(self.precision, self.scale)
        if self.data_type not in simple:
            raise ValueError(
                f"column {self.name}: warehouse type {self.data_type!r} has no Spark mapping; "
                f"use one of {', '.join(sorted([*simple, 'numeric']))} in the DDL"
            )
        return simple[self.data_type]

    @property
    def is_text(self) -> bool:
        return self.data_type in ("character varying", "character", "text")


def information_schema_query(table: str) -> str:
    schema, name = _split_table(table)
    return (
        "SELECT column_name, data_type, is_nullable, character_maximum_length, numeric_precision, "
        "numeric_scale FROM information_schema.columns "
        f"WHERE table_schema = '{schema}' AND table_name = '{name}' ORDER BY ordinal_position"
    )


def columns_from_information_schema(rows: Sequence[Sequence[Any]]) -> list[WarehouseColumn]:
    columns = []
    for name, data_type, is_nullable, max_length, precision, scale in rows:
        column_name = str(name)
        if not _IDENTIFIER.match(column_name):
            raise ValueError(
                f"column {column_name!r}: only lower-case unquoted identifiers are supported; rename it"
            )
        columns.append(
            WarehouseColumn(
                name=column_name,
                data_type=str(data_type).lower(),
                nullable=str(is_nullable).upper() == "YES",
                max_length=None if max_length is None else int(max_length),
                precision=None if precision is None else int(precision),
                scale=None if scale is None else int(scale),
            )
        )
    return columns


def fetch_table_columns(executor: SqlExecutor, table: str = TARGET_TABLE) -> list[WarehouseColumn]:
    columns = columns_from_information_schema(executor.query(information_schema_query(table)))
    if not columns:
        raise RuntimeError(
            f"table {table} not found in the warehouse; apply sql/redshift/*.sql first "
            "(deploy runs them; locally: python -m bankpipe.warehouse_sql or --apply-ddl)"
        )
    if KEY_COLUMN not in {column.name for column in columns}:
        raise RuntimeError(f"table {table} has no {KEY_COLUMN} column; the MERGE needs it as key")
    return columns


def _split_table(table: str) -> tuple[str, str]:
    parts = table.split(".")
    if len(parts) != 2 or not all(_IDENTIFIER.match(part) for part in parts):
        raise ValueError(f"table {table!r}: write it as schema.table in lower case")
    return parts[0], parts[1]


# ---------------------------------------------------------------- reading and partition selection


def parse_dates(text: str | None) -> tuple[date, ...]:
    """'2024-01-01,2024-01-02' -> dates; empty or None -> ()."""
    if not text or not text.strip():
        return ()
    dates = []
    for part in text.split(","):
        value = part.strip()
        try:
            dates.append(date.fromisoformat(value))
        except ValueError:
            raise ValueError(
                f"date {value!r} in --dates is not YYYY-MM-DD; pass e.g. --dates 2024-01-01,2024-01-02"
            ) from None
    return tuple(sorted(set(dates)))


def transactions_path(processed_uri: str) -> str:
    if not processed_uri or not processed_uri.strip():
        raise ValueError(
            "processed zone URI is empty; pass e.g. s3://bucket/processed or file:///data/processed"
        )
    return processed_uri.rstrip("/") + "/" + pipeline_layout().processed_transactions_prefix.rstrip("/")


def read_processed_transactions(spark: SparkSession, processed_uri: str) -> DataFrame:
    path = transactions_path(processed_uri)
    try:
        frame = spark.read.option("basePath", path).parquet(path)
    except AnalysisException as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FileNotFoundError(
            f"no processed transactions at {path} ({first_line}); "
            "check --processed and that the ATM job has run"
        ) from error
    if PARTITION_COLUMN not in frame.columns:
        raise ValueError(f"{path} is not partitioned by {PARTITION_COLUMN}=YYYY-MM-DD (docs/data-layout.md)")
    return frame


def dates_of_run(frame: DataFrame, run_id: str) -> tuple[date, ...]:
    """The txn_date partitions holding at least one row written by `run_id`."""
    if "run_id" not in frame.columns:
        raise ValueError("processed transactions have no run_id column, so --run-id cannot select partitions")
    rows = frame.where(F.col("run_id") == run_id).select(PARTITION_COLUMN).distinct().collect()
    return tuple(sorted(row[PARTITION_COLUMN] for row in rows))


def select_dates(frame: DataFrame, dates: Sequence[date]) -> DataFrame:
    """Keep the given txn_date partitions (partition pruning: only those folders are read)."""
    return frame.where(F.col(PARTITION_COLUMN).isin(list(dates)))


# ---------------------------------------------------------------- staging frame


def keep_latest_per_key(frame: DataFrame, key: str = KEY_COLUMN) -> DataFrame:
    """One row per key; ties broken by DEDUP_ORDER (descending) so the choice is repeatable."""
    order = [F.col(name).desc_nulls_last() for name in DEDUP_ORDER if name in frame.columns]
    if not order:
        order = [F.col(key)]
    window = Window.partitionBy(key).orderBy(*order)
    return frame.withColumn("_rank", F.row_number().over(window)).where(F.col("_rank") == 1).drop("_rank")


def _target_expression(frame: DataFrame, column: WarehouseColumn) -> Column:
    if column.name in frame.columns:
        return F.col(column.name).cast(column.spark_type)
    return F.lit(None).cast(column.spark_type)


def missing_required_columns(frame: DataFrame, columns: Sequence[WarehouseColumn]) -> list[str]:
    return [c.name for c in columns if not c.nullable and c.name not in frame.columns]


def build_staging_frame(frame: DataFrame, columns: Sequence[WarehouseColumn]) -> DataFrame:
    """Processed rows -> staging rows: the table's columns, in its order, cast to its types.

    Extra processed columns are dropped; a missing nullable column becomes NULL; a missing
    NOT NULL column is an error.
    """
    missing = missing_required_columns(frame, columns)
    if missing:
        raise ValueError(
            f"processed transactions lack required warehouse column(s) {', '.join(missing)}; "
            "rerun the ATM job with the current contract. Redshift cannot drop NOT NULL from a column: "
            f"to accept rows without it, {COPY_COLUMN_ADVICE}"
        )
    return frame.select(*[_target_expression(frame, column).alias(column.name) for column in columns])


# What works on Redshift when the table must change (Amazon Redshift ALTER TABLE): ALTER COLUMN ...
# TYPE only changes a VARCHAR's size, cannot run inside a transaction block (every sql/redshift file
# runs as one) and not on a PRIMARY KEY/UNIQUE column; a column's type or NULL-ness cannot change
# otherwise, and ALTER TABLE adds one column per statement.
COPY_COLUMN_ADVICE = (
    "in a new sql/redshift file add a column of the new definition (one ADD COLUMN per ALTER TABLE), "
    "UPDATE it from the old one, DROP the old column and RENAME the new one, recreating the report "
    "views that read it; or create the table under a new name and INSERT ... SELECT into it "
    "(sql/README.md, 'Changing a table')"
)


def widen_varchar_advice(column: str, needed_bytes: int) -> str:
    """How to make a VARCHAR column hold `needed_bytes` on Redshift (and PostgreSQL)."""
    alters = "; ".join(
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({needed_bytes})"
        for table in (TARGET_TABLE, STAGING_TABLE)
    )
    return (
        f"run {alters} by hand, each as a statement of its own outside any transaction (not in a "
        "sql/redshift file: each file runs as one transaction, where Redshift rejects ALTER COLUMN; "
        f"and never on the key {KEY_COLUMN}), then write the new width into 010_transactions.sql so a "
        f"new warehouse gets it too; or, {COPY_COLUMN_ADVICE}"
    )


def staging_problems(frame: DataFrame, columns: Sequence[WarehouseColumn]) -> tuple[int, list[str]]:
    """(row count, problems) for processed rows about to be staged, in one aggregation pass.

    Problems: NULL in a NOT NULL column, a value that does not convert to the column type, a string
    longer than the column allows (counted in bytes, the stricter Redshift rule).
    """
    aggregates: list[Column] = [F.count(F.lit(1)).alias("_rows")]
    checks: list[tuple[str, str, WarehouseColumn]] = []
    for index, column in enumerate(columns):
        target = _target_expression(frame, column)
        if not column.nullable:
            alias = f"_null_{index}"
            aggregates.append(F.sum(F.when(target.isNull(), 1).otherwise(0)).alias(alias))
            checks.append(("null", alias, column))
        if column.name in frame.columns:
            alias = f"_cast_{index}"
            failed = F.col(column.name).isNotNull() & target.isNull()
            aggregates.append(F.sum(F.when(failed, 1).otherwise(0)).alias(alias))
            checks.append(("cast", alias, column))
        if column.is_text and column.max_length is not None:
            alias = f"_bytes_{index}"
            aggregates.append(F.max(F.octet_length(target)).alias(alias))
            checks.append(("bytes", alias, column))
    result = frame.agg(*aggregates).first()
    assert result is not None  # an aggregation without GROUP BY always returns one row
    problems: list[str] = []
    for kind, alias, column in checks:
        value = result[alias]
        if kind == "null" and value:
            problems.append(
                f"column {column.name}: {value} row(s) are NULL but the warehouse requires a value"
            )
        elif kind == "cast" and value:
            problems.append(
                f"column {column.name}: {value} value(s) do not convert to "
                f"{column.spark_type.simpleString()}; fix the source, or give the column a wider type: "
                + COPY_COLUMN_ADVICE
            )
        elif (
            kind == "bytes"
            and value is not None
            and column.max_length is not None
            and value > column.max_length
        ):
            problems.append(
                f"column {column.name}: a value is {value} bytes, over VARCHAR({column.max_length}); "
                f"fix the source or widen the column: {widen_varchar_advice(column.name, value)}"
            )
    return int(result["_rows"] or 0), problems


# ---------------------------------------------------------------- SQL text


def build_merge_sql(
    columns: Sequence[WarehouseColumn],
    target: str = TARGET_TABLE,
    staging: str = STAGING_TABLE,
    key: str = KEY_COLUMN,
) -> str:
    """MERGE in the subset Redshift and PostgreSQL 15 share.

    Redshift allows an alias on the source only, and target columns in SET/INSERT unqualified, so the
    target is referred to by its full name in ON.
    """
    _split_table(target)
    _split_table(staging)
    names = [column.name for column in columns]
    if key not in names:
        raise ValueError(f"key column {key} is not among the table columns")
    updates = ",\n    ".join(f"{name} = {STAGING_ALIAS}.{name}" for name in names if name != key)
    insert_columns = ", ".join(names)
    insert_values = ", ".join(f"{STAGING_ALIAS}.{name}" for name in names)
    return (
        f"MERGE INTO {target}\n"
        f"USING {staging} AS {STAGING_ALIAS}\n"
        f"ON {target}.{key} = {STAGING_ALIAS}.{key}\n"
        f"WHEN MATCHED THEN UPDATE SET\n    {updates}\n"
        f"WHEN NOT MATCHED THEN INSERT ({insert_columns})\n"
        f"VALUES ({insert_values})"
    )


def _dates_condition(dates: Sequence[date], partition: str) -> str:
    if not dates:
        raise ValueError("no dates given: a delete without a date scope would empty the table")
    literals = ", ".join(f"DATE '{day.isoformat()}'" for day in sorted(set(dates)))
    return f"{partition} IN ({literals})"


def build_missing_rows_condition(
    dates: Sequence[date],
    target: str = TARGET_TABLE,
    staging: str = STAGING_TABLE,
    key: str = KEY_COLUMN,
    partition: str = PARTITION_COLUMN,
) -> str:
    """Rows of ``target`` in the staged dates whose key staging does not have (the key is NOT NULL in
    staging, so NOT IN is exact; it is uncorrelated, which Redshift and PostgreSQL both run as is)."""
    _split_table(target)
    _split_table(staging)
    return f"{_dates_condition(dates, partition)} AND {key} NOT IN (SELECT {key} FROM {staging})"


def build_delete_missing_sql(dates: Sequence[date], target: str = TARGET_TABLE) -> str:
    return f"DELETE FROM {target} WHERE {build_missing_rows_condition(dates, target)}"


def build_missing_count_sql(dates: Sequence[date], target: str = TARGET_TABLE) -> str:
    return f"SELECT COUNT(*) FROM {target} WHERE {build_missing_rows_condition(dates, target)}"


def build_count_sql(table: str) -> str:
    _split_table(table)
    return f"SELECT COUNT(*) FROM {table}"


def build_matched_count_sql(
    target: str = TARGET_TABLE, staging: str = STAGING_TABLE, key: str = KEY_COLUMN
) -> str:
    _split_table(target)
    _split_table(staging)
    return (
        f"SELECT COUNT(*) FROM {staging} AS {STAGING_ALIAS} "
        f"JOIN {target} AS tgt ON tgt.{key} = {STAGING_ALIAS}.{key}"
    )


def refresh_statements(views: Sequence[str] = REPORT_MATERIALIZED_VIEWS) -> list[str]:
    for view in views:
        _split_table(view)
    return [f"REFRESH MATERIALIZED VIEW {view}" for view in views]


# ---------------------------------------------------------------- the load


@dataclass(frozen=True)
class LoadOptions:
    dates: tuple[date, ...] = ()
    run_id: str | None = None
    # Off by default: the run's refresh step refreshes each report once after the load.
    refresh_reports: bool = False
    batch_size: int = 10_000
    write_partitions: int = 4

    def __post_init__(self) -> None:
        if self.dates and self.run_id:
            raise ValueError("pass either --dates or --run-id, not both")
        if self.batch_size < 1 or self.write_partitions < 1:
            raise ValueError("batch size and write partitions must be at least 1")


@dataclass(frozen=True)
class LoadResult:
    dates: tuple[str, ...] | None  # None = every partition
    rows_staged: int
    rows_matched: int
    rows_inserted: int
    rows_deleted: int
    refreshed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "dates": list(self.dates) if self.dates is not None else "all",
            "rows_staged": self.rows_staged,
            "rows_matched": self.rows_matched,
            "rows_inserted": self.rows_inserted,
            "rows_deleted": self.rows_deleted,
            "refreshed": list(self.refreshed),
        }


def _first_count(executor: SqlExecutor, sql: str) -> int:
    rows = executor.query(sql)
    return int(rows[0][0]) if rows else 0


def select_partitions(frame: DataFrame, options: LoadOptions) -> tuple[DataFrame, tuple[date, ...] | None]:
    if options.run_id:
        dates = dates_of_run(frame, options.run_id)
        if not dates:
            LOG.warning("run %s has no rows in the processed zone; nothing to load", options.run_id)
        return select_dates(frame, dates), dates
    if options.dates:
        return select_dates(frame, options.dates), options.dates
    return frame, None


def load_transactions(
    spark: SparkSession,
    processed_uri: str,
    target: JdbcTarget,
    executor: SqlExecutor,
    options: LoadOptions | None = None,
) -> LoadResult:
    options = options or LoadOptions()
    columns = fetch_table_columns(executor, TARGET_TABLE)
    processed, dates = select_partitions(read_processed_transactions(spark, processed_uri), options)
    deduplicated = keep_latest_per_key(processed).persist()
    try:
        rows, problems = staging_problems(deduplicated, columns)
        if problems:
            raise ValueError(
                f"{len(problems)} problem(s) in the processed transactions, nothing loaded:\n- "
                + "\n- ".join(problems)
            )
        staged_dates = tuple(row[0] for row in deduplicated.select(PARTITION_COLUMN).distinct().collect())
        staging = build_staging_frame(deduplicated, columns)
        # DELETE, not TRUNCATE: on Redshift only the owner (or a role with the TRUNCATE TABLE system
        # privilege) may truncate, and the load runs as a member of bank_loader, which owns nothing.
        executor.execute(f"DELETE FROM {STAGING_TABLE}")
        write_append(staging, target, STAGING_TABLE, options.batch_size, options.write_partitions)
    finally:
        deduplicated.unpersist()

    staged = _first_count(executor, build_count_sql(STAGING_TABLE))
    if staged != rows:
        raise RuntimeError(
            f"{STAGING_TABLE} holds {staged} rows but {rows} were written; another load may be running "
            "at the same time (the Glue job must allow one concurrent run). Nothing was merged."
        )
    matched = _first_count(executor, build_matched_count_sql())
    statements = [build_merge_sql(columns)]
    deleted = 0
    if staged_dates:
        deleted = _first_count(executor, build_missing_count_sql(staged_dates))
        statements.insert(0, build_delete_missing_sql(staged_dates))
    executor.execute_in_transaction(statements)
    LOG.info(
        "merged %d staged rows into %s (%d matched, %d new, %d no longer in the processed zone deleted)",
        staged,
        TARGET_TABLE,
        matched,
        staged - matched,
        deleted,
    )

    refreshed: list[str] = []
    if options.refresh_reports:
        # Each REFRESH runs as its own transaction on Redshift anyway.
        for view, statement in zip(REPORT_MATERIALIZED_VIEWS, refresh_statements(), strict=True):
            executor.execute(statement)
            refreshed.append(view)
    return LoadResult(
        dates=None if dates is None else tuple(d.isoformat() for d in dates),
        rows_staged=staged,
        rows_matched=matched,
        rows_inserted=staged - matched,
        rows_deleted=deleted,
        refreshed=tuple(refreshed),
    )
