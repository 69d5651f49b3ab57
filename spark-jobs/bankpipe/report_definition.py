"""What the ATM job and the warehouse load know about one report.

``bankpipe.report_catalog`` lists every report as one of these. That module is built from
sql/reports/*.sql by ``make reports`` (scripts/generate_reports.py; plain Python, since EMR and Glue
have no sqlglot) and is not tracked by git; this shape is written here, once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportDefinition:
    name: str
    description: str
    # Output columns, and those that identify a row.
    columns: tuple[str, ...]
    grain: tuple[str, ...]
    # The job rewrites the report only when a stored transaction has a value in this column.
    requires: str | None
    # The module whose code writes the report table (None: spark_sql computes it).
    rows_from: str | None
    # Spark SQL over {transactions} (None when rows_from writes the table); a materialized view
    # banking.mv_<name> and its view banking.v_<name> exist exactly when it is set.
    spark_sql: str | None
    # Columns of the transactions the SQL reads, and string literals it compares columns with: the
    # job checks both against the contract before it starts.
    read_columns: tuple[str, ...]
    compared_values: tuple[tuple[str, tuple[str, ...]], ...]
