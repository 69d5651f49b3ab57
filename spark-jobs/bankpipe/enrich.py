"""Enrichment of valid transactions and the column layout of <output>/transactions.

Columns, in order: every contract property in contract order with its storage type (amount and
balance_after decimal(18,2), occurred_at timestamp (UTC instant), latitude/longitude double, others
string), ``extra_fields`` (JSON text of non-contract fields or null), then the derived columns
``txn_hour, year, month, signed_amount, is_failure, age_band, gender, run_id, source_file`` and the
partition column ``txn_date``.

Dates and hours are taken from the UTC instant with epoch arithmetic, so they do not depend on the
Spark session time zone.

Business rules that name enum values (failure statuses, the debit type) are checked against the
contract at start-up by ``check_business_rules``: a contract change cannot silently break them.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)
from pyspark.sql import types as T  # noqa: N812 (Spark convention)

from bankpipe.contract import Contract
from bankpipe.layout import pipeline_layout
from bankpipe.parse import SOURCE_FILE

FAILURE_STATUSES = ("declined", "failed")
COMPLETED_STATUS = "completed"
DEBIT_TYPE = "debit"
EXTRA_FIELDS = "extra_fields"
DERIVED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("txn_hour", "int"),
    ("year", "int"),
    ("month", "int"),
    ("signed_amount", "decimal(18,2)"),
    ("is_failure", "boolean"),
    ("age_band", "string"),
    ("gender", "string"),
    ("run_id", "string"),
    (SOURCE_FILE, "string"),
)
PARTITION_COLUMN = pipeline_layout().processed_partition_column  # txn_date (contracts/pipeline-layout.json)
# (upper bound inclusive, label); ages above the last bound fall in the open band.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (17, "0-17"),
    (25, "18-25"),
    (35, "26-35"),
    (45, "36-45"),
    (55, "46-55"),
    (65, "56-65"),
)
OPEN_AGE_BAND = "66+"
CUSTOMER_GENDERS = ("F", "M")
_SECONDS_PER_DAY = 86_400


def check_business_rules(contract: Contract) -> None:
    contract.require_enum_values("status", (*FAILURE_STATUSES, COMPLETED_STATUS))
    contract.require_enum_values("type", (DEBIT_TYPE,))
    for name in ("transaction_id", "account_id", "occurred_at", "amount"):
        contract.rule(name)


def transactions_schema(contract: Contract) -> T.StructType:
    """The Parquet schema of <output>/transactions (used e.g. when no data exists yet)."""
    columns = [(rule.name, rule.storage_type) for rule in contract.properties]
    columns += [(EXTRA_FIELDS, "string"), *DERIVED_COLUMNS, (PARTITION_COLUMN, "date")]
    return T.StructType([T.StructField(name, spark_type(kind)) for name, kind in columns])


_SIMPLE_TYPES: dict[str, T.DataType] = {
    "string": T.StringType(),
    "double": T.DoubleType(),
    "timestamp": T.TimestampType(),
    "date": T.DateType(),
    "int": T.IntegerType(),
    "bigint": T.LongType(),
    "boolean": T.BooleanType(),
}


def spark_type(name: str) -> T.DataType:
    """Spark type for the small set of SQL type names used in the transactions layout."""
    if name in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[name]
    if name.startswith("decimal(") and name.endswith(")"):
        precision, scale = (int(part) for part in name[len("decimal(") : -1].split(","))
        return T.DecimalType(precision, scale)
    raise ValueError(f"no Spark type mapping for {name!r}")


def add_derived_columns(valid: DataFrame, run_id: str) -> DataFrame:
    """txn_date, txn_hour, year, month, signed_amount (debits negative), is_failure, run_id."""
    seconds = F.unix_seconds(F.col("occurred_at"))
    txn_date = F.date_from_unix_date(F.floor(seconds / _SECONDS_PER_DAY).cast("int"))
    return (
        valid.withColumn(PARTITION_COLUMN, txn_date)
        .withColumn("txn_hour", F.floor(F.pmod(seconds, _SECONDS_PER_DAY) / 3600).cast("int"))
        .withColumn("year", F.year(PARTITION_COLUMN))
        .withColumn("month", F.month(PARTITION_COLUMN))
        .withColumn(
            "signed_amount",
            F.when(F.col("type") == DEBIT_TYPE, -F.col("amount"))
            .otherwise(F.col("amount"))
            .cast("decimal(18,2)"),
        )
        .withColumn("is_failure", F.col("status").isin(*FAILURE_STATUSES))
        .withColumn("run_id", F.lit(run_id))
    )


def clean_customers(raw_customers: DataFrame) -> DataFrame:
    """One row per account: (account_id, birth_date date, gender 'F'|'M'); unusable rows are dropped.

    Input rows are {account_id, birth_date 'YYYY-MM-DD', gender}. When an account appears more than
    once the smallest (birth_date, gender) wins, so the join never multiplies transactions.
    """
    birth_text = F.col("birth_date").cast("string")
    usable = raw_customers.select(
        F.col("account_id").cast("string").alias("account_id"),
        F.when(birth_text.rlike(r"^\d{4}-\d{2}-\d{2}$"), birth_text.cast("date")).alias("birth_date"),
        F.col("gender").cast("string").alias("gender"),
    ).where(
        F.col("account_id").isNotNull()
        & F.col("birth_date").isNotNull()
        & F.col("gender").isin(*CUSTOMER_GENDERS)
    )
    best = usable.groupBy("account_id").agg(F.min(F.struct("birth_date", "gender")).alias("customer"))
    return best.select("account_id", "customer.birth_date", "customer.gender")


def age_in_years(on_date: Column, birth_date: Column) -> Column:
    """Completed years; someone born on 29 February gets a year older on 1 March in common years."""
    birthday_not_reached = (F.month(on_date) * 100 + F.dayofmonth(on_date)) < (
        F.month(birth_date) * 100 + F.dayofmonth(birth_date)
    )
    return F.year(on_date) - F.year(birth_date) - F.when(birthday_not_reached, 1).otherwise(0)


def age_band(age: Column) -> Column:
    band: Column = F.when(age < 0, F.lit(None).cast("string"))
    for upper, label in AGE_BANDS:
        band = band.when(age <= upper, F.lit(label))
    return band.otherwise(F.lit(OPEN_AGE_BAND))


def add_age_gender(transactions: DataFrame, customers: DataFrame | None) -> DataFrame:
    """age_band (age at the transaction date) and gender from ``clean_customers`` output; null when
    no customers are given or the account has no customer."""
    if customers is None:
        return transactions.withColumn("age_band", F.lit(None).cast("string")).withColumn(
            "gender", F.lit(None).cast("string")
        )
    renamed = customers.select(
        F.col("account_id").alias("__customer_account_id"),
        F.col("birth_date").alias("__birth_date"),
        F.col("gender").alias("__gender"),
    )
    joined = transactions.join(renamed, F.col("account_id") == F.col("__customer_account_id"), "left")
    age = age_in_years(F.col(PARTITION_COLUMN), F.col("__birth_date"))
    return (
        joined.withColumn("age_band", F.when(F.col("__birth_date").isNotNull(), age_band(age)))
        .withColumn("gender", F.col("__gender"))
        .drop("__customer_account_id", "__birth_date", "__gender")
    )


def to_transactions_layout(enriched: DataFrame, contract: Contract) -> DataFrame:
    """Select and cast the columns of <output>/transactions in their fixed order."""
    schema = transactions_schema(contract)
    return enriched.select(
        *[F.col(field.name).cast(field.dataType).alias(field.name) for field in schema.fields]
    )
