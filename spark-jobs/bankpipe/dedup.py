"""Give every non-blank input line exactly one disposition.

A line's identity: a valid line is its ``transaction_id``; a bad line, which may have no usable id,
is its exact raw text. Identical bad lines are therefore quarantined once and the other copies are
counted as duplicates, just as a repeated transaction id is kept once. The source connector delivers
at least once, and the raw zone keeps no source file or line number that could tell a re-delivered
bad line from a second one with the same text, so the text is the only identity there is.

``disposition`` is one of:

- ``quarantined``               the line broke the contract (``reason`` says how), the run's one
                                copy of that raw text, and no other run has quarantined that text
- ``duplicate_in_run``          a line whose identity appears more than once in this run and which
                                lost: the winner is the earliest occurred_at, then the smallest 64-bit
                                hash of the raw line (xxhash64), then the smallest source_file, so the
                                choice does not depend on file or partition order. Bad copies keep
                                their ``reason``
- ``duplicate_of_processed``    the run's winner for a transaction_id that is already in
                                <output>/transactions, written by another run
- ``duplicate_of_quarantined``  the run's copy of a bad line whose exact text another run already
                                quarantined (a re-delivery that landed in a later hour)
- ``valid``                     everything else: written to <output>/transactions

Rows are tagged, never filtered, so that read = valid + quarantined + duplicates can be checked.
``raw_line`` is kept only on quarantined rows, its only consumer: the window below shuffles every
row, and the raw text is about half of a row's bytes (hence the hash as tie-breaker).

Reruns: the sets of processed ids and of quarantined lines exclude what the same run id wrote (see
``processed_ids_excluding_run`` and ``quarantined_lines_excluding_run``), so rerunning a run id over
the same input classifies every line the same way as the first time instead of calling its own
earlier output a duplicate.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.parse import RAW_LINE, SOURCE_FILE
from bankpipe.validation import REASON

DISPOSITION = "disposition"
VALID = "valid"
QUARANTINED = "quarantined"
DUPLICATE_IN_RUN = "duplicate_in_run"
DUPLICATE_OF_PROCESSED = "duplicate_of_processed"
DUPLICATE_OF_QUARANTINED = "duplicate_of_quarantined"
DISPOSITIONS = (VALID, QUARANTINED, DUPLICATE_IN_RUN, DUPLICATE_OF_PROCESSED, DUPLICATE_OF_QUARANTINED)
DUPLICATE_DISPOSITIONS = (DUPLICATE_IN_RUN, DUPLICATE_OF_PROCESSED, DUPLICATE_OF_QUARANTINED)
# Columns of a quarantine record that the check against earlier runs reads.
QUARANTINE_LINE_SCHEMA = "run_id string, raw_line string"

_PROCESSED_ID = "__processed_transaction_id"
_QUARANTINED_LINE = "__quarantined_raw_line"
_LINE_HASH = "__line_hash"


def mark_duplicates_in_run(validated: DataFrame) -> DataFrame:
    """Add ``disposition``: quarantined, duplicate_in_run or valid (earlier runs are checked later)."""
    is_valid = F.col(REASON).isNull()
    narrowed = validated.withColumn(_LINE_HASH, F.xxhash64(RAW_LINE)).withColumn(
        RAW_LINE, F.when(~is_valid, F.col(RAW_LINE))
    )
    # The identity: the id of a valid line, the raw text of a bad one (kept only on bad rows above).
    identity = F.when(is_valid, F.col("transaction_id")).otherwise(F.col(RAW_LINE))
    ranking = Window.partitionBy(is_valid, identity).orderBy(
        F.col("occurred_at").asc_nulls_last(), F.col(_LINE_HASH), F.col(SOURCE_FILE)
    )
    rank = F.row_number().over(ranking)
    disposition = (
        F.when(rank > 1, F.lit(DUPLICATE_IN_RUN)).when(is_valid, F.lit(VALID)).otherwise(F.lit(QUARANTINED))
    )
    marked = narrowed.withColumn(DISPOSITION, disposition).drop(_LINE_HASH)
    return marked.withColumn(RAW_LINE, _only_when_quarantined(F.col(RAW_LINE)))


def processed_ids_excluding_run(processed: DataFrame, run_id: str) -> DataFrame:
    """Distinct transaction ids already processed by runs other than ``run_id``."""
    return _other_runs(processed, run_id).select(F.col("transaction_id").alias(_PROCESSED_ID)).distinct()


def quarantined_lines_excluding_run(quarantine: DataFrame, run_id: str) -> DataFrame:
    """Distinct raw lines already quarantined by runs other than ``run_id`` (quarantine records, read
    with ``QUARANTINE_LINE_SCHEMA``)."""
    return (
        _other_runs(quarantine, run_id)
        .where(F.col(RAW_LINE).isNotNull())
        .select(F.col(RAW_LINE).alias(_QUARANTINED_LINE))
        .distinct()
    )


def mark_duplicates_of_processed(marked: DataFrame, processed_ids: DataFrame | None) -> DataFrame:
    """Turn ``valid`` rows whose id is in ``processed_ids`` (output of ``processed_ids_excluding_run``)
    into ``duplicate_of_processed``. A left join on distinct ids never adds or drops rows."""
    if processed_ids is None:
        return marked
    join_key = F.when(F.col(DISPOSITION) == VALID, F.col("transaction_id"))
    joined = marked.join(processed_ids, join_key == F.col(_PROCESSED_ID), "left")
    disposition = F.when(F.col(_PROCESSED_ID).isNotNull(), F.lit(DUPLICATE_OF_PROCESSED)).otherwise(
        F.col(DISPOSITION)
    )
    return joined.withColumn(DISPOSITION, disposition).drop(_PROCESSED_ID)


def mark_duplicates_of_quarantined(marked: DataFrame, quarantined_lines: DataFrame | None) -> DataFrame:
    """Turn ``quarantined`` rows whose raw text is in ``quarantined_lines`` (output of
    ``quarantined_lines_excluding_run``) into ``duplicate_of_quarantined``. A left join on distinct
    lines never adds or drops rows."""
    if quarantined_lines is None:
        return marked
    join_key = F.when(F.col(DISPOSITION) == QUARANTINED, F.col(RAW_LINE))
    joined = marked.join(quarantined_lines, join_key == F.col(_QUARANTINED_LINE), "left")
    disposition = F.when(F.col(_QUARANTINED_LINE).isNotNull(), F.lit(DUPLICATE_OF_QUARANTINED)).otherwise(
        F.col(DISPOSITION)
    )
    return (
        joined.withColumn(DISPOSITION, disposition)
        .drop(_QUARANTINED_LINE)
        .withColumn(RAW_LINE, _only_when_quarantined(F.col(RAW_LINE)))
    )


def _other_runs(written: DataFrame, run_id: str) -> DataFrame:
    """Rows written by another run, or without a run id."""
    return written.where(F.col("run_id").isNull() | (F.col("run_id") != run_id))


def _only_when_quarantined(raw_line: Column) -> Column:
    return F.when(F.col(DISPOSITION) == QUARANTINED, raw_line)
