"""The Athena stand-in of the local twin: DuckDB over a local mirror of the processed zone.

    athena_standin.py register --mirror DIR --db FILE   # the crawler's job: one view per Glue table
    athena_standin.py query --db FILE --sql FILE        # runs a named query's text unchanged, prints JSON

Tables are named like the Glue tables the crawler makes from the folder names (sql/README.md):
``transactions`` (hive-partitioned by txn_date) and one per ``reports/<report>/`` folder. Views, not
copies: a new run's Parquet in the mirror is visible without registering again, as with partition
projection; registering again picks up new report folders.
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
        for name, folder in tables.items():
            pattern = _sql_literal(folder / "**" / "*.parquet")
            connection.execute(
                f'CREATE OR REPLACE VIEW "{name}" AS '
                f"SELECT * FROM read_parquet({pattern}, hive_partitioning = true, union_by_name = true)"
            )
    return sorted(tables)


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
