"""Give every non-blank input line exactly one disposition.

``disposition`` is one of:

- ``quarantined``             the line broke the contract (``reason`` says how)
- ``duplicate_in_run``        a valid line whose transaction_id appears more than once in this run and
                              which lost: the winner is the earliest occurred_at, then the smallest
                              64-bit hash of the raw line (xxhash64), then the smallest source_file, so
                              the choice does not depend on file or partition order
- ``duplicate_of_processed``  the run's winner for a transaction_id that is already in
                              <output>/transactions, written by another run
- ``valid``                   everything else: written to <output>/transactions

Rows are tagged, never filtered, so that read = valid + quarantined + duplicates can be checked.
``raw_line`` is kept only on quarantined rows, its only consumer: the window below shuffles every
row, and the raw text is about half of a row's bytes (hence the hash as tie-breaker).

Reruns: the set of processed ids excludes rows written by the same run id (see
``processed_ids_excluding_run``), so rerunning a run id over the same input classifies every line
the same way as the first time instead of calling its own earlier output a duplicate.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.parse import RAW_LINE, SOURCE_FILE
from bankpipe.validation import REASON

DISPOSITION = "disposition"
VALID = "valid"
QUARANTINED = "quarantined"
DUPLICATE_IN_RUN = "duplicate_in_run"
DUPLICATE_OF_PROCESSED = "duplicate_of_processed"
DISPOSITIONS = (VALID, QUARANTINED, DUPLICATE_IN_RUN, DUPLICATE_OF_PROCESSED)

_PROCESSED_ID = "__processed_transaction_id"
_LINE_HASH = "__line_hash"


def mark_duplicates_in_run(validated: DataFrame) -> DataFrame:
    """Add ``disposition``: quarantined, duplicate_in_run or valid (processed duplicates come later)."""
    is_valid = F.col(REASON).isNull()
    narrowed = validated.withColumn(_LINE_HASH, F.xxhash64(RAW_LINE)).withColumn(
        RAW_LINE, F.when(~is_valid, F.col(RAW_LINE))
    )
    # Quarantined rows are spread over partitions by their own hash instead of one null key.
    group_key = F.when(is_valid, F.col("transaction_id")).otherwise(F.col(_LINE_HASH).cast("string"))
    ranking = Window.partitionBy(is_valid, group_key).orderBy(
        F.col("occurred_at").asc_nulls_last(), F.col(_LINE_HASH), F.col(SOURCE_FILE)
    )
    rank = F.row_number().over(ranking)
    disposition = (
        F.when(~is_valid, F.lit(QUARANTINED)).when(rank > 1, F.lit(DUPLICATE_IN_RUN)).otherwise(F.lit(VALID))
    )
    return narrowed.withColumn(DISPOSITION, disposition).drop(_LINE_HASH)


def processed_ids_excluding_run(processed: DataFrame, run_id: str) -> DataFrame:
    """Distinct transaction ids already processed by runs other than ``run_id``."""
    return (
        processed.where(F.col("run_id").isNull() | (F.col("run_id") != run_id))
        .select(F.col("transaction_id").alias(_PROCESSED_ID))
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
