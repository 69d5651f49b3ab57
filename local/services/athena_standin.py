"""The Athena stand-in of the local twin: DuckDB over a local mirror of the processed zone.

    athena_standin.py register --mirror DIR --db FILE   # the crawler's job: one view per Glue table
    athena_standin.py query --db FILE --sql FILE        # runs a named query's text unchanged, prints JSON

Tables are named like the Glue tables the crawler makes from the folder names (sql/README.md):
``transactions`` (hive-partitioned by txn_date) and one per ``reports/<report>/`` folder. Views, not
copies: a new run's Parquet in the mirror is visible without registering again, as with partition
projection; registering again picks up new report folders.

Columns carry the types the Glue crawler gives them, so a query that would fail on Athena fails
here too: a Hive-style partition column (``txn_date=2024-01-05``) is a string, never a DATE, and
``txn_date >= DATE '2024-01-05'`` is a type error on both engines (compare with ``'2024-01-05'``).
The Parquet columns keep their Parquet types, as the crawler maps them: DECIMAL(18,2) stays a
decimal, Spark's INT96 timestamps are TIMESTAMP, ints INTEGER, longs BIGINT, strings VARCHAR.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import sys
from pathlib import Path

import duckdb

# DuckDB 1.4.3's parallel hash aggregation split one GROUP BY COALESCE(...) key into two groups
# (seen on a clean clone); one thread gives exact groups and these inputs are small.
DUCKDB_CONFIG = {"threads": 1}


def _sql_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def table_folders(mirror: Path) -> dict[str, Path]:
    """Glue table name -> folder holding its Parquet files."""
    tables: dict[str, Path] = {}
    transactions = mirror / "transactions"
    if any(transactions.rglob("*.parquet")):
        tables["transactions"] = transactions
    reports = mirror / "reports"
    if reports.is_dir():
        for folder in sorted(p for p in reports.iterdir() if p.is_dir()):
            if any(folder.rglob("*.parquet")):
                tables[folder.name] = folder
    return tables


def register(mirror: Path, db: Path) -> list[str]:
    tables = table_folders(mirror)
    if "transactions" not in tables:
        raise SystemExit(
            f"no Parquet under {mirror / 'transactions'}: run the ATM job first (the crawler found nothing)"
        )
    db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db), config=DUCKDB_CONFIG) as connection:
        create_views(connection, tables)
    return sorted(tables)


def crawler_typed_parquet(folder: Path) -> str:
    """A DuckDB table function reading one Glue table's folder with the crawler's column types.

    ``hive_types_autocast = false``: DuckDB would otherwise guess DATE for ``txn_date=2024-01-05``,
    where the crawler (and so Athena) has a string column.
    """
    pattern = _sql_literal(folder / "**" / "*.parquet")
    return (
        f"read_parquet({pattern}, hive_partitioning = true, hive_types_autocast = false, "
        "union_by_name = true)"
    )


def create_views(connection: duckdb.DuckDBPyConnection, tables: dict[str, Path]) -> None:
    """One view per Glue table (name -> folder), as the crawler would catalog them."""
    for name, folder in tables.items():
        relation = crawler_typed_parquet(folder)
        connection.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM {relation}')


def _jsonable(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def query(db: Path, sql_file: Path) -> dict[str, object]:
    if not db.exists():
        raise SystemExit(f"{db} does not exist: register the tables first (athena_standin.py register)")
    with duckdb.connect(str(db), read_only=True, config=DUCKDB_CONFIG) as connection:
        cursor = connection.execute(sql_file.read_text(encoding="utf-8"))
        columns = [column[0] for column in cursor.description]
        rows = [[_jsonable(value) for value in row] for row in cursor.fetchall()]
    return {"columns": columns, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    reg = commands.add_parser("register")
    reg.add_argument("--mirror", type=Path, required=True)
    reg.add_argument("--db", type=Path, required=True)
    qry = commands.add_parser("query")
    qry.add_argument("--db", type=Path, required=True)
    qry.add_argument("--sql", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "register":
        print(json.dumps({"tables": register(args.mirror, args.db)}))
    else:
        print(json.dumps(query(args.db, args.sql)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
