"""The reports, generated from sql/reports/*.sql by `make reports`; do not edit.

The Spark SQL of each report, transpiled from its definition file (scripts/report_sql.py), and what the
ATM job and the warehouse load need to know about it (bankpipe.report_definition).
"""

from __future__ import annotations

from bankpipe.report_definition import ReportDefinition

REPORT_CATALOG: tuple[ReportDefinition, ...] = (
    ReportDefinition(
        name="atm_daily_totals",
        description=(
            "Completed ATM transactions per ATM and UTC day. Add \"AND txn_date >= '...'\" to "
            "read fewer partitions."
        ),
        columns=("atm_id", "atm_location", "city", "txn_date", "txn_count", "total_amount"),
        grain=("atm_id", "txn_date"),
        requires=None,
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  atm_id,\n"
            "  MAX(atm_location) AS atm_location,\n"
            "  MAX(city) AS city,\n"
            "  CAST(txn_date AS DATE) AS txn_date,\n"
            "  CAST(COUNT(*) AS BIGINT) AS txn_count,\n"
            "  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  channel = 'atm' AND status = 'completed'\n"
            "GROUP BY\n"
            "  atm_id,\n"
            "  txn_date\n"
            "ORDER BY\n"
            "  txn_date NULLS LAST,\n"
            "  atm_id NULLS LAST"
        ),
        read_columns=("amount", "atm_id", "atm_location", "channel", "city", "status", "txn_date"),
        compared_values=(("channel", ("atm",)), ("status", ("completed",))),
    ),
    ReportDefinition(
        name="atm_failure_rates",
        description="Share of ATM attempts that were declined or failed, per ATM, worst first.",
        columns=("atm_id", "atm_location", "city", "attempts", "failures", "failure_rate"),
        grain=("atm_id",),
        requires=None,
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  atm_id,\n"
            "  MAX(atm_location) AS atm_location,\n"
            "  MAX(city) AS city,\n"
            "  CAST(COUNT(*) AS BIGINT) AS attempts,\n"
            "  CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS BIGINT) AS failures,\n"
            "  CAST(ROUND(CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS DECIMAL(18, "
            "8)) / COUNT(*), 6) AS DECIMAL(9, 6)) AS failure_rate\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  channel = 'atm'\n"
            "GROUP BY\n"
            "  atm_id\n"
            "ORDER BY\n"
            "  failure_rate DESC,\n"
            "  atm_id NULLS LAST"
        ),
        read_columns=("atm_id", "atm_location", "channel", "city", "is_failure"),
        compared_values=(("channel", ("atm",)),),
    ),
    ReportDefinition(
        name="atm_hourly_totals",
        description=(
            "Completed ATM transactions per ATM, UTC day and hour of day. Add a txn_date "
            "filter to read fewer partitions."
        ),
        columns=("atm_id", "atm_location", "city", "txn_date", "txn_hour", "txn_count", "total_amount"),
        grain=("atm_id", "txn_date", "txn_hour"),
        requires=None,
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  atm_id,\n"
            "  MAX(atm_location) AS atm_location,\n"
            "  MAX(city) AS city,\n"
            "  CAST(txn_date AS DATE) AS txn_date,\n"
            "  CAST(txn_hour AS INT) AS txn_hour,\n"
            "  CAST(COUNT(*) AS BIGINT) AS txn_count,\n"
            "  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  channel = 'atm' AND status = 'completed'\n"
            "GROUP BY\n"
            "  atm_id,\n"
            "  txn_date,\n"
            "  txn_hour\n"
            "ORDER BY\n"
            "  txn_date NULLS LAST,\n"
            "  txn_hour NULLS LAST,\n"
            "  atm_id NULLS LAST"
        ),
        read_columns=(
            "amount",
            "atm_id",
            "atm_location",
            "channel",
            "city",
            "status",
            "txn_date",
            "txn_hour",
        ),
        compared_values=(("channel", ("atm",)), ("status", ("completed",))),
    ),
    ReportDefinition(
        name="card_type_failure_rates",
        description=(
            "Share of ATM attempts that were declined or failed, per card type ('unknown' "
            "when missing), worst first."
        ),
        columns=("card_type", "attempts", "failures", "failure_rate"),
        grain=("card_type",),
        requires=None,
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  COALESCE(card_type, 'unknown') AS card_type,\n"
            "  CAST(COUNT(*) AS BIGINT) AS attempts,\n"
            "  CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS BIGINT) AS failures,\n"
            "  CAST(ROUND(CAST(SUM(CASE WHEN is_failure THEN 1 ELSE 0 END) AS DECIMAL(18, "
            "8)) / COUNT(*), 6) AS DECIMAL(9, 6)) AS failure_rate\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  channel = 'atm'\n"
            "GROUP BY\n"
            "  COALESCE(card_type, 'unknown')\n"
            "ORDER BY\n"
            "  failure_rate DESC,\n"
            "  card_type NULLS LAST"
        ),
        read_columns=("card_type", "channel", "is_failure"),
        compared_values=(("channel", ("atm",)),),
    ),
    ReportDefinition(
        name="fraud_flags",
        description=(
            "Transactions flagged by the ATM job's fraud rules, newest first, with how many "
            "rules flagged each one."
        ),
        columns=("transaction_id", "account_id", "card_id", "occurred_at", "rule", "detail", "rules_hit"),
        grain=("transaction_id", "rule"),
        requires=None,
        rows_from="bankpipe.fraud",
        spark_sql=None,
        read_columns=(),
        compared_values=(),
    ),
    ReportDefinition(
        name="monthly_trend",
        description="Completed transactions per calendar month (UTC): count and total amount.",
        columns=("year", "month", "txn_count", "total_amount"),
        grain=("year", "month"),
        requires=None,
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  CAST(year AS INT) AS year,\n"
            "  CAST(month AS INT) AS month,\n"
            "  CAST(COUNT(*) AS BIGINT) AS txn_count,\n"
            "  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  status = 'completed'\n"
            "GROUP BY\n"
            "  year,\n"
            "  month\n"
            "ORDER BY\n"
            "  year NULLS LAST,\n"
            "  month NULLS LAST"
        ),
        read_columns=("amount", "month", "status", "year"),
        compared_values=(("status", ("completed",)),),
    ),
    ReportDefinition(
        name="ops_totals",
        description=("Completed transactions per operation: count and total amount, largest total first."),
        columns=("operation", "txn_count", "total_amount"),
        grain=("operation",),
        requires=None,
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  operation,\n"
            "  CAST(COUNT(*) AS BIGINT) AS txn_count,\n"
            "  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  status = 'completed'\n"
            "GROUP BY\n"
            "  operation\n"
            "ORDER BY\n"
            "  total_amount DESC,\n"
            "  operation NULLS LAST"
        ),
        read_columns=("amount", "operation", "status"),
        compared_values=(("status", ("completed",)),),
    ),
    ReportDefinition(
        name="trans_by_age_gender",
        description=(
            "Completed transactions per client age band and gender ('unknown' when missing): "
            "count and total amount."
        ),
        columns=("age_band", "gender", "txn_count", "total_amount"),
        grain=("age_band", "gender"),
        requires="gender",
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  COALESCE(age_band, 'unknown') AS age_band,\n"
            "  COALESCE(gender, 'unknown') AS gender,\n"
            "  CAST(COUNT(*) AS BIGINT) AS txn_count,\n"
            "  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  status = 'completed'\n"
            "GROUP BY\n"
            "  COALESCE(age_band, 'unknown'),\n"
            "  COALESCE(gender, 'unknown')\n"
            "ORDER BY\n"
            "  1 NULLS LAST,\n"
            "  2 NULLS LAST"
        ),
        read_columns=("age_band", "amount", "gender", "status"),
        compared_values=(("status", ("completed",)),),
    ),
    ReportDefinition(
        name="yearly_trend",
        description="Completed transactions per calendar year (UTC): count and total amount.",
        columns=("year", "txn_count", "total_amount"),
        grain=("year",),
        requires=None,
        rows_from=None,
        spark_sql=(
            "SELECT\n"
            "  CAST(year AS INT) AS year,\n"
            "  CAST(COUNT(*) AS BIGINT) AS txn_count,\n"
            "  CAST(SUM(amount) AS DECIMAL(38, 2)) AS total_amount\n"
            "FROM {transactions}\n"
            "WHERE\n"
            "  status = 'completed'\n"
            "GROUP BY\n"
            "  year\n"
            "ORDER BY\n"
            "  year NULLS LAST"
        ),
        read_columns=("amount", "status", "year"),
        compared_values=(("status", ("completed",)),),
    ),
)
