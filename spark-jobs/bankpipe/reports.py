"""Report tables, computed from the FULL <output>/transactions dataset every run so they stay correct
after incremental runs.

Each report is defined once, in ``sql/reports/<report>.sql`` (description, grain, one SELECT with
the column types); ``bankpipe.report_catalog`` holds its Spark SQL, generated from that file. A
report runs here as a pure ``DataFrame -> DataFrame`` function: the SELECT reads the transactions
frame under the name ``transactions``. A report whose rows come from a module (``rows from``, the
fraud rules) is written by the job with that module's code instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.contract import Contract
from bankpipe.enrich import DERIVED_COLUMNS, PARTITION_COLUMN
from bankpipe.report_definition import ReportDefinition

try:
    from bankpipe.report_catalog import REPORT_CATALOG
except ModuleNotFoundError as missing:  # a build output, not tracked by git
    raise ModuleNotFoundError(
        "bankpipe/report_catalog.py is missing: it is built from sql/reports/*.sql; run `make reports` "
        "(make setup builds it too) before running or packaging the job"
    ) from missing

ATM_CHANNEL = "atm"
# The module that writes the fraud report's table (the report named in sql/reports with this
# "rows from").
FRAUD_MODULE = "bankpipe.fraud"

SQL_REPORTS: tuple[ReportDefinition, ...] = tuple(r for r in REPORT_CATALOG if r.spark_sql is not None)


def _fraud_report() -> str:
    names = [report.name for report in REPORT_CATALOG if report.rows_from == FRAUD_MODULE]
    if len(names) != 1:
        raise RuntimeError(
            f"exactly one report in sql/reports must say '-- rows from: {FRAUD_MODULE}', found {names}; "
            "fix the definitions and run `make reports`"
        )
    return names[0]


FRAUD_REPORT = _fraud_report()


def check_report_rules(contract: Contract) -> None:
    """Before the job starts: every column a report's SQL reads is stored (a contract property or a
    column the job derives), and every value it compares a contract column with is one the contract
    allows (a renamed status would otherwise empty a report silently)."""
    properties = set(contract.property_names)
    stored = properties | {name for name, _ in DERIVED_COLUMNS} | {PARTITION_COLUMN}
    for report in SQL_REPORTS:
        unknown = sorted(set(report.read_columns) - stored)
        if unknown:
            raise ValueError(
                f"report {report.name} reads {unknown}, which the stored transactions do not have: fix "
                f"sql/reports/{report.name}.sql (or the contract) and run `make reports`"
            )
        for column, values in report.compared_values:
            if column in properties:
                contract.require_enum_values(column, values)


def run_report(report: ReportDefinition, transactions: DataFrame) -> DataFrame:
    if report.spark_sql is None:
        raise ValueError(f"report {report.name} is written by {report.rows_from}, not by SQL")
    return transactions.sparkSession.sql(report.spark_sql, transactions=transactions)


# Report name -> builder, for every report computed in SQL.
REPORTS: dict[str, Callable[[DataFrame], DataFrame]] = {
    report.name: partial(run_report, report) for report in SQL_REPORTS
}


def has_values(transactions: DataFrame, column: str) -> bool:
    return transactions.where(F.col(column).isNotNull()).limit(1).count() > 0


def reports_without_data(transactions: DataFrame) -> list[str]:
    """Reports whose ``requires`` column is empty in every stored transaction: the job leaves them
    as they are (e.g. per-customer totals when the job never had a customer file)."""
    return [
        report.name
        for report in SQL_REPORTS
        if report.requires is not None and not has_values(transactions, report.requires)
    ]
