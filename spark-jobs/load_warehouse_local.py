"""Local twin of the Glue load job: same load code, plain SparkSession, JDBC to PostgreSQL 15.

    .local/venv/bin/python spark-jobs/load_warehouse_local.py \\
        --processed file:///abs/path/processed \\
        --jdbc-url jdbc:postgresql://127.0.0.1:5432/warehouse --user postgres \\
        --password-env WAREHOUSE_PASSWORD [--apply-ddl] [--run-id RUN | --dates 2024-01-01,...] [--refresh]

The password is read from the environment variable named by --password-env, so it never shows up
in the process list. --apply-ddl applies sql/redshift/*.sql first (what the deploy does on AWS).
Prints one JSON line with the load result.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pyspark.sql import SparkSession

from bankpipe.warehouse_jdbc import JdbcSqlExecutor, JdbcTarget
from bankpipe.warehouse_load import LoadOptions, load_transactions, parse_dates
from bankpipe.warehouse_sql import DEFAULT_SQL_DIR, apply_sql_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JARS_DIR = REPO_ROOT / ".local" / "jars"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load processed transactions into PostgreSQL (local twin)")
    parser.add_argument("--processed", required=True, help="processed zone URI, e.g. file:///data/processed")
    parser.add_argument("--jdbc-url", required=True, help="jdbc:postgresql://127.0.0.1:PORT/DB")
    parser.add_argument("--user", required=True)
    parser.add_argument(
        "--password-env", default="WAREHOUSE_PASSWORD", help="name of the env variable holding the password"
    )
    selection = parser.add_mutually_exclusive_group()
    selection.add_argument("--run-id", help="load only the txn_date partitions this ATM-job run wrote")
    selection.add_argument("--dates", help="load only these txn_date partitions: 2024-01-01,2024-01-02")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="also REFRESH every report's materialized view (a run's refresh step does this after the load)",
    )
    parser.add_argument("--apply-ddl", action="store_true", help="apply the SQL files before loading")
    parser.add_argument("--sql-dir", type=Path, default=DEFAULT_SQL_DIR)
    parser.add_argument("--jars-dir", type=Path, default=DEFAULT_JARS_DIR, help="folder with the JDBC jar")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--batch-size", type=int, default=LoadOptions.batch_size)
    parser.add_argument("--write-partitions", type=int, default=LoadOptions.write_partitions)
    return parser.parse_args(argv)


def jdbc_jars(jars_dir: Path) -> list[str]:
    jars = sorted(str(jar) for jar in jars_dir.glob("postgresql-*.jar"))
    if not jars:
        raise FileNotFoundError(
            f"no postgresql-*.jar in {jars_dir}; fetch it with "
            "`mvn -q -f spark-jobs/jdbc/pom.xml dependency:copy-dependencies -DoutputDirectory=.local/jars`"
        )
    return jars


def build_spark(master: str, jars: Sequence[str]) -> SparkSession:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("bankpipe-load-warehouse-local")
        .config("spark.jars", ",".join(jars))
        .config("spark.sql.session.timeZone", "UTC")
        # The JDBC driver renders timestamps in the JVM zone; UTC keeps them identical to Glue's.
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    password = os.environ.get(args.password_env, "")
    if not password:
        raise SystemExit(
            f"environment variable {args.password_env} is empty; export the warehouse password there"
        )
    target = JdbcTarget(url=args.jdbc_url, user=args.user, password=password)
    options = LoadOptions(
        dates=parse_dates(args.dates),
        run_id=args.run_id,
        refresh_reports=args.refresh,
        batch_size=args.batch_size,
        write_partitions=args.write_partitions,
    )
    spark = build_spark(args.master, jdbc_jars(args.jars_dir))
    spark.sparkContext.setLogLevel("WARN")
    try:
        executor = JdbcSqlExecutor(spark, target)
        if args.apply_ddl:
            for name in apply_sql_dir(executor, args.sql_dir, "postgres"):
                logging.info("applied %s", name)
        result = load_transactions(spark, args.processed, target, executor, options)
    finally:
        spark.stop()
    print(json.dumps({"warehouse_load": result.as_dict()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
