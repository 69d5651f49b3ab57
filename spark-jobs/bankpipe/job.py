"""The ATM-transaction job: raw JSON-lines logs -> quarantine + processed transactions + reports.

CLI (see ``parse_args``)::

    spark-submit spark-jobs/atm_job.py --input URI --output URI --quarantine URI --run-id ID
        [--customers URI] [--schema PATH] [--max-future-minutes N] [--now ISO]

Outputs (docs/data-layout.md):

- ``<output>/transactions/txn_date=YYYY-MM-DD/part-NNNNN.run-<run-id>.<codec>.parquet``
  (run-scoped files, see ``storage``; columns in ``enrich``)
- ``<output>/reports/<report>/`` Parquet, recomputed from the whole transactions dataset and
  overwritten every run (definitions in ``reports`` and ``fraud``)
- ``<quarantine>/run_id=<run-id>/*.json`` JSON lines {run_id, reason, raw_line, source_file},
  overwritten per run id (reasons listed in ``validation``); each bad text once over all run ids
  (``dedup``: copies are counted as duplicates)
- ``<output>/_manifest/<run-id>.json`` with the counts (fields in ``manifest``)

Decisions:

- blank lines are skipped and counted only as ``blank_lines_skipped`` (not "read");
- bad input never fails the run; a broken count invariant does (nothing is published then);
- rerunning a run id: rows written earlier by the same run id are left out of the "already
  processed" ids and "already quarantined" lines, the run's own files are replaced and its
  quarantine folder overwritten, so the rerun reproduces the same transactions, reports, quarantine
  and manifest counts; a rerun with different input replaces what that run id wrote before;
- ``--now`` (default: the job's start time) fixes the clock for the future-timestamp check so that
  a rerun is reproducible; ``--max-future-minutes`` defaults to the contract's x-maxFutureMinutes on
  occurred_at (clock skew of log servers; the live consumer skips such lines by the same key);
- two different run ids must not run at the same time on the same output (the orchestration runs
  one step at a time); the duplicate checks against processed data and quarantine rely on it;
- the manifest is written last: its presence marks a completed run. A run that died earlier may
  have left its quarantine folder or part of its files; rerunning the same run id repairs both.
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe import __version__
from bankpipe.contract import Contract, contract_from_text, load_contract
from bankpipe.dedup import (
    DISPOSITION,
    QUARANTINE_LINE_SCHEMA,
    QUARANTINED,
    VALID,
    mark_duplicates_in_run,
    mark_duplicates_of_processed,
    mark_duplicates_of_quarantined,
    processed_ids_excluding_run,
    quarantined_lines_excluding_run,
)
from bankpipe.enrich import (
    EXTRA_FIELDS,
    PARTITION_COLUMN,
    add_age_gender,
    add_derived_columns,
    check_business_rules,
    clean_customers,
    to_transactions_layout,
    transactions_schema,
)
from bankpipe.fraud import DEFAULT_RULES, FraudRules, check_fraud_rules, flag_transactions
from bankpipe.layout import pipeline_layout
from bankpipe.manifest import build_manifest, check_written, count_dispositions, manifest_json, reconcile
from bankpipe.parse import (
    RAW_LINE,
    SOURCE_FILE,
    drop_blank_lines,
    extra_fields_json,
    parse_json_lines,
    read_lines,
)
from bankpipe.reports import FRAUD_REPORT, REPORTS, check_report_rules, reports_without_data
from bankpipe.storage import (
    HadoopFs,
    has_json_files,
    has_parquet_files,
    join_uri,
    normalise_uri,
    publish_run_files,
    validate_run_id,
)
from bankpipe.validation import REASON, validate

LOG = logging.getLogger("bankpipe.atm_job")
QUARANTINE_ROWS_PER_FILE = 500_000
TRANSACTION_ROWS_PER_FILE = 1_000_000
REPORT_WRITERS = 3
# Columns of <output>/transactions read by reports.py and fraud.py.
REPORT_COLUMNS = (
    "transaction_id",
    "account_id",
    "occurred_at",
    "operation",
    "amount",
    "currency",
    "channel",
    "status",
    "atm_id",
    "atm_location",
    "city",
    "latitude",
    "longitude",
    "card_id",
    "card_type",
    "txn_date",
    "txn_hour",
    "year",
    "month",
    "is_failure",
    "age_band",
    "gender",
)
CUSTOMERS_SCHEMA = "account_id string, birth_date string, gender string"


@dataclass(frozen=True)
class JobConfig:
    input_uris: list[str]
    output: str
    quarantine: str
    run_id: str
    customers: str | None = None
    schema: str | None = None
    # None: the contract's x-maxFutureMinutes on occurred_at (the live consumer's limit too).
    max_future_minutes: int | None = None
    now: datetime | None = None
    fraud_rules: FraudRules = DEFAULT_RULES

    def __post_init__(self) -> None:
        validate_run_id(self.run_id)
        if self.max_future_minutes is not None and self.max_future_minutes < 0:
            raise ValueError("--max-future-minutes must be 0 or more")
        if self.now is not None and self.now.tzinfo is None:
            raise ValueError("--now must carry a time zone offset, e.g. 2024-05-01T12:00:00Z")


def parse_args(argv: Sequence[str] | None = None) -> JobConfig:
    parser = argparse.ArgumentParser(
        prog="atm_job.py", description="Validate, deduplicate, enrich and report bank transactions."
    )
    parser.add_argument(
        "--input", required=True, help="raw JSON-lines URI(s), comma-separated; folders are read recursively"
    )
    parser.add_argument(
        "--output", required=True, help="processed zone URI (transactions, reports, _manifest)"
    )
    parser.add_argument("--quarantine", required=True, help="quarantine zone URI")
    parser.add_argument("--run-id", required=True, help="run identifier: letters, digits, '.', '_', '-'")
    parser.add_argument("--customers", help="JSON lines {account_id, birth_date YYYY-MM-DD, gender F|M}")
    parser.add_argument(
        "--schema", help="transaction JSON Schema (default: packaged copy, else repo contracts/)"
    )
    parser.add_argument(
        "--max-future-minutes", type=int, help="default: x-maxFutureMinutes of occurred_at in the contract"
    )
    parser.add_argument(
        "--now", type=parse_instant, help="ISO-8601 instant used as 'now' (default: start time)"
    )
    args = parser.parse_args(argv)
    try:
        return JobConfig(
            input_uris=[part for part in args.input.split(",") if part.strip()],
            output=args.output,
            quarantine=args.quarantine,
            run_id=args.run_id,
            customers=args.customers,
            schema=args.schema,
            max_future_minutes=args.max_future_minutes,
            now=args.now,
        )
    except ValueError as error:
        parser.error(str(error))
        raise  # parser.error exits; this keeps type checkers satisfied


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant with an offset or Z, as UTC (argparse type; a naive time is refused)."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 instant: {error}") from error
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone offset; add Z or +HH:MM")
    return instant.astimezone(UTC)


SESSION_SETTINGS = {
    # Timestamps as INT64 micros: read natively by Athena, Redshift, DuckDB and Spark.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # The validation stage generates one large method; the JVM does not JIT-compile methods above
    # 8,000 bytes of bytecode and would interpret it (measured 2-4x slower). With this limit Spark
    # falls back to smaller, compiled per-expression code for such a stage.
    "spark.sql.codegen.hugeMethodLimit": "8000",
}


def configure_session(spark: SparkSession) -> None:
    for key, value in SESSION_SETTINGS.items():
        spark.conf.set(key, value)


def _load_contract(fs: HadoopFs, schema: str | None) -> Contract:
    if schema and "://" in schema and not schema.startswith("file://"):
        return contract_from_text(fs.read_text(schema), schema)
    return load_contract(schema)


@dataclass(frozen=True)
class Locations:
    inputs: list[str]
    output: str
    quarantine_root: str
    run_id: str

    # Zone paths from contracts/pipeline-layout.json (packaged in bankpipe.zip on EMR).
    @property
    def transactions(self) -> str:
        return join_uri(self.output, pipeline_layout().processed_transactions_prefix)

    @property
    def staging(self) -> str:
        return join_uri(self.output, "_staging", self.run_id)

    @property
    def quarantine(self) -> str:
        return join_uri(self.quarantine_root, pipeline_layout().quarantine_run_folder(self.run_id))

    @property
    def manifest(self) -> str:
        return join_uri(self.output, pipeline_layout().manifest_name(self.run_id))

    def report(self, name: str) -> str:
        return join_uri(self.output, pipeline_layout().processed_reports_prefix, name)


class PhaseTimer:
    """Wall seconds per phase, logged and recorded in the manifest (``timings_seconds``)."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = round(time.monotonic() - started, 3)
            LOG.info("run %s: %s took %.1f s", self.run_id, name, self.seconds[name])


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def run(spark: SparkSession, config: JobConfig) -> dict[str, Any]:
    """Run the job on an existing SparkSession and return the manifest it wrote."""
    started_at = datetime.now(UTC)
    now = config.now or started_at
    fs = HadoopFs(spark)
    where = Locations(
        inputs=[normalise_uri(uri) for uri in config.input_uris],
        output=normalise_uri(config.output),
        quarantine_root=normalise_uri(config.quarantine),
        run_id=config.run_id,
    )
    contract = _load_contract(fs, config.schema)
    check_business_rules(contract)
    check_report_rules(contract)
    check_fraud_rules(contract)
    configure_session(spark)

    timer = PhaseTimer(config.run_id)
    lines = read_lines(spark, where.inputs)
    with timer.phase("count_lines"):
        line_counts = lines.select(
            F.count(F.lit(1)).alias("all"),
            F.sum(F.when(~F.col(RAW_LINE).rlike(r"\S"), 1).otherwise(0)).alias("blank"),
        ).first()
    blank = int(line_counts["blank"] or 0)
    read = int(line_counts["all"]) - blank

    max_future_minutes = contract.future_limit_minutes(config.max_future_minutes)
    classified = classify(spark, fs, lines, contract, where, now, max_future_minutes)
    classified.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        with timer.phase("classify"):
            counts = count_dispositions(classified, read=read, blank_lines_skipped=blank)
        LOG.info("run %s counts: %s", config.run_id, counts.as_dict())
        reconcile(counts)  # before anything is written

        with timer.phase("write_quarantine"):
            _write_quarantine(classified, where, counts.quarantined)
        customers = None
        if config.customers:
            customers = clean_customers(
                spark.read.schema(CUSTOMERS_SCHEMA).json(normalise_uri(config.customers))
            )
        with timer.phase("stage_transactions"):
            _stage_transactions(classified, contract, where, customers)
        with timer.phase("check_and_publish"):
            # Count what actually landed on storage, not what the plan says.
            landed = count_rows(
                spark, fs, {"transactions": where.staging}, text={"quarantine": where.quarantine}
            )
            written_transactions = landed["transactions"]
            check_written(counts, written_transactions, landed["quarantine"])
            publish_run_files(fs, where.staging, where.transactions, config.run_id)
    finally:
        classified.unpersist()

    written = {"transactions": written_transactions}
    with timer.phase("reports"):
        written.update(_write_reports(spark, fs, contract, where, config.fraud_rules))
    manifest = build_manifest(
        run_id=config.run_id,
        started_at=_iso(started_at),
        finished_at=_iso(datetime.now(UTC)),
        input_uris=where.inputs,
        counts=counts,
        written=written,
        details={
            "output": where.output,
            "quarantine": where.quarantine,
            "customers": normalise_uri(config.customers) if config.customers else None,
            "schema": contract.source,
            "now": _iso(now),
            "max_future_minutes": max_future_minutes,
            "job_version": __version__,
            "timings_seconds": timer.seconds,
        },
    )
    fs.write_text(where.manifest, manifest_json(manifest))
    LOG.info("run %s manifest written to %s", config.run_id, where.manifest)
    return manifest


def classify(
    spark: SparkSession,
    fs: HadoopFs,
    lines: DataFrame,
    contract: Contract,
    where: Locations,
    now: datetime,
    max_future_minutes: int,
) -> DataFrame:
    """Every non-blank line with its disposition, reason and typed contract columns."""
    parsed = parse_json_lines(drop_blank_lines(lines), contract)
    validated = validate(parsed, contract, now, max_future_minutes).withColumn(
        EXTRA_FIELDS, extra_fields_json(contract)
    )
    columns = [DISPOSITION, REASON, RAW_LINE, SOURCE_FILE, *contract.property_names, EXTRA_FIELDS]
    in_run = mark_duplicates_in_run(validated)
    processed_ids = None
    if has_parquet_files(fs, where.transactions):
        processed_ids = processed_ids_excluding_run(spark.read.parquet(where.transactions), where.run_id)
    quarantined_lines = None
    if has_json_files(fs, where.quarantine_root):
        quarantined_lines = quarantined_lines_excluding_run(
            _read_quarantine(spark, where.quarantine_root), where.run_id
        )
    of_processed = mark_duplicates_of_processed(in_run, processed_ids)
    return mark_duplicates_of_quarantined(of_processed, quarantined_lines).select(*columns)


def _read_quarantine(spark: SparkSession, quarantine_root: str) -> DataFrame:
    """Every run's quarantine records: run_id (from the run_id=<run>/ folder names, as the layout
    names them) and raw_line.

    Read as a partitioned dataset so that the filter on run_id prunes whole folders: the run's own
    folder is never opened, so it can be overwritten later in the run while this plan may still be
    recomputed (after a lost cache block) without a missing-file error.
    """
    # With its slash: S3A refuses a bucket root without one (s3a://bankpipe-quarantine) as not absolute.
    return spark.read.schema(QUARANTINE_LINE_SCHEMA).json(f"{quarantine_root.rstrip('/')}/")


def _write_quarantine(classified: DataFrame, where: Locations, expected: int) -> None:
    records = classified.where(F.col(DISPOSITION) == QUARANTINED).select(
        F.lit(where.run_id).alias("run_id"), F.col(REASON).alias("reason"), RAW_LINE, SOURCE_FILE
    )
    files = max(1, math.ceil(expected / QUARANTINE_ROWS_PER_FILE))
    records.coalesce(files).write.mode("overwrite").option("ignoreNullFields", "false").json(where.quarantine)


def _stage_transactions(
    classified: DataFrame, contract: Contract, where: Locations, customers: DataFrame | None
) -> None:
    valid = classified.where(F.col(DISPOSITION) == VALID).drop(DISPOSITION, REASON, RAW_LINE)
    enriched = add_age_gender(add_derived_columns(valid, where.run_id), customers)
    layout = to_transactions_layout(enriched, contract)
    (
        layout.repartition(PARTITION_COLUMN)
        .write.mode("overwrite")
        .option("maxRecordsPerFile", TRANSACTION_ROWS_PER_FILE)
        .partitionBy(PARTITION_COLUMN)
        .parquet(where.staging)
    )


def count_rows(
    spark: SparkSession, fs: HadoopFs, parquet: dict[str, str], text: dict[str, str] | None = None
) -> dict[str, int]:
    """Rows per dataset in ONE Spark job (Parquet counts come from file footers; text counts lines,
    one JSON record per line). Datasets without data files count 0."""
    parts = [
        spark.read.parquet(uri).select(F.lit(name).alias("dataset"))
        for name, uri in parquet.items()
        if has_parquet_files(fs, uri)
    ]
    parts += [spark.read.text(uri).select(F.lit(name).alias("dataset")) for name, uri in (text or {}).items()]
    counts = dict.fromkeys([*parquet, *(text or {})], 0)
    if parts:
        union = parts[0]
        for part in parts[1:]:
            union = union.unionByName(part)
        counts.update({row["dataset"]: row["count"] for row in union.groupBy("dataset").count().collect()})
    return counts


def _write_reports(
    spark: SparkSession, fs: HadoopFs, contract: Contract, where: Locations, rules: FraudRules
) -> dict[str, int]:
    if has_parquet_files(fs, where.transactions):
        transactions = spark.read.parquet(where.transactions)
    else:
        transactions = spark.createDataFrame([], transactions_schema(contract))
    # The columns the reports use, read once (nine scans of the dataset on S3 would cost more).
    transactions = transactions.select(*REPORT_COLUMNS).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        return _write_report_tables(spark, fs, transactions, where, rules)
    finally:
        transactions.unpersist()


def _write_report_tables(
    spark: SparkSession, fs: HadoopFs, transactions: DataFrame, where: Locations, rules: FraudRules
) -> dict[str, int]:
    builders = dict(REPORTS)
    for name in reports_without_data(transactions):
        LOG.info("no data for %s in %s: it is not rewritten", name, where.transactions)
        builders.pop(name)
    builders[FRAUD_REPORT] = lambda df: flag_transactions(df, rules)
    targets = {name: where.report(name) for name in builders}

    def write(name: str) -> None:
        builders[name](transactions).coalesce(1).write.mode("overwrite").parquet(targets[name])

    # Report jobs are small and mostly wait on scheduling and code generation: run a few at a time.
    with ThreadPoolExecutor(max_workers=REPORT_WRITERS) as pool:
        for future in [pool.submit(write, name) for name in builders]:
            future.result()
    return count_rows(spark, fs, targets)
