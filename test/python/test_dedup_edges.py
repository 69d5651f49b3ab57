"""Deduplication pinned at its tie-breaks: which line wins when two lines share a transaction id.

The rule (bankpipe/dedup.py): the earliest occurred_at wins, then the smallest xxhash64 of the raw
line, then the smallest source_file. Each tie-break is tested where the earlier keys are exactly equal
(to the microsecond Spark keeps) and the later keys point the other way, so a test fails if a key is
dropped, reversed or reordered. Every scenario uses its own transaction id and all are marked in one
Spark job per input order, checked inside the test that runs it (mutmut runs, for a mutant, only the
tests that called the mutated function); `make mutation` runs this file against mutants of
bankpipe/dedup.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.dedup import (
    DISPOSITION,
    DUPLICATE_IN_RUN,
    DUPLICATE_OF_PROCESSED,
    QUARANTINED,
    VALID,
    mark_duplicates_in_run,
    mark_duplicates_of_processed,
    processed_ids_excluding_run,
)
from fixtures.frames import DEDUP_INPUT_SCHEMA as SCHEMA

T0 = datetime(2024, 1, 31, 10, 0, 0)
MICRO = timedelta(microseconds=1)
LINES = [f'{{"transaction_id":"E","n":{n}}}' for n in range(4)]
BAD_LINE = "{not json"


@pytest.fixture(scope="module")
def hashes(spark) -> dict[str, int]:
    """Spark's xxhash64 of each test line: the hash order decides the second tie-break."""
    frame = spark.createDataFrame([(line,) for line in [*LINES, BAD_LINE]], "raw_line string")
    return {
        row.raw_line: row.h for row in frame.select("raw_line", F.xxhash64("raw_line").alias("h")).collect()
    }


@pytest.fixture(scope="module")
def rows(hashes) -> list[tuple]:
    by_hash = sorted(LINES, key=lambda line: hashes[line])
    low, high, third = by_hash[0], by_hash[1], by_hash[2]
    bad_hash_as_id = str(hashes[BAD_LINE])
    return [
        # key, reason, transaction_id, occurred_at, raw_line, source_file
        # 1 µs earlier wins although its line hash and source file are both larger.
        ("time-later", None, "TIME", T0 + MICRO, low, "a"),
        ("time-earlier", None, "TIME", T0, high, "z"),
        # Same microsecond: the smaller line hash wins although its source file is larger.
        ("hash-high", None, "HASH", T0, high, "a"),
        ("hash-low", None, "HASH", T0, low, "z"),
        # Same microsecond, same line: the smaller source file wins (plain string order).
        ("file-9", None, "FILE", T0, low, "s3://raw/hour=10/part-9.jsonl"),
        ("file-10", None, "FILE", T0, low, "s3://raw/hour=10/part-10.jsonl"),
        # Three lines at one instant: exactly one winner, ranked by hash.
        ("three-1", None, "THREE", T0, third, "a"),
        ("three-2", None, "THREE", T0, high, "a"),
        ("three-3", None, "THREE", T0, low, "a"),
        # A row without occurred_at never beats one with it, whatever its hash.
        ("null-time", None, "NULLTIME", None, low, "a"),
        ("late-time", None, "NULLTIME", T0 + timedelta(days=365), high, "z"),
        # A valid id that equals a quarantined line's hash: validity keeps their groups apart.
        ("hash-named", None, bad_hash_as_id, T0, low, "a"),
        ("bad-early", "malformed_json", None, T0 - timedelta(days=1), BAD_LINE, "a"),
        # Quarantined rows are never duplicates: same id, same line, same file, same instant.
        ("bad-a", "invalid_enum:channel", "BAD", T0, BAD_LINE, "a"),
        ("bad-b", "invalid_enum:channel", "BAD", T0, BAD_LINE, "a"),
        # A quarantined line does not take the id away from the valid line sharing it, even if earlier.
        ("shared-bad", "too_long:account_id", "SHARED", T0 - MICRO, low, "a"),
        ("shared-good", None, "SHARED", T0, high, "z"),
        # Alone: valid.
        ("single", None, "SINGLE", T0, low, "a"),
    ]


EXPECTED_IN_RUN = {
    "time-later": DUPLICATE_IN_RUN,
    "time-earlier": VALID,
    "hash-high": DUPLICATE_IN_RUN,
    "hash-low": VALID,
    "file-9": DUPLICATE_IN_RUN,
    "file-10": VALID,
    "three-1": DUPLICATE_IN_RUN,
    "three-2": DUPLICATE_IN_RUN,
    "three-3": VALID,
    "null-time": DUPLICATE_IN_RUN,
    "late-time": VALID,
    "hash-named": VALID,
    "bad-early": QUARANTINED,
    "bad-a": QUARANTINED,
    "bad-b": QUARANTINED,
    "shared-bad": QUARANTINED,
    "shared-good": VALID,
    "single": VALID,
}


SCHEMA_COLUMNS = [part.split()[0] for part in SCHEMA.split(", ")]


def dispositions(frame) -> dict[str, str]:
    return {row.key: row[DISPOSITION] for row in frame.collect()}


def test_tie_breaks_at_their_edges(spark, rows):
    marked = mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA))
    assert sorted(marked.columns) == sorted([*SCHEMA_COLUMNS, DISPOSITION])
    marked_rows = {row.key: row.asDict() for row in marked.collect()}
    assert {key: row[DISPOSITION] for key, row in marked_rows.items()} == EXPECTED_IN_RUN
    # raw lines stay only on quarantined rows (the window shuffles every row; only quarantine needs them)
    kept = {key: row["raw_line"] for key, row in marked_rows.items()}
    assert {key for key, line in kept.items() if line is not None} == {
        key for key, disposition in EXPECTED_IN_RUN.items() if disposition == QUARANTINED
    }
    assert kept["bad-early"] == BAD_LINE


def test_the_winner_is_the_same_in_any_input_order_and_partitioning(spark, rows):
    backward = spark.createDataFrame(list(reversed(rows)), SCHEMA).repartition(3)
    assert dispositions(mark_duplicates_in_run(backward)) == EXPECTED_IN_RUN


def test_only_the_runs_winners_can_be_duplicates_of_processed(spark, rows):
    processed = spark.createDataFrame(
        [
            ("TIME", "run-old"),  # the winner of TIME becomes a processed duplicate
            ("TIME", "run-older"),  # an id processed twice must not double the row
            ("BAD", "run-old"),  # quarantined stays quarantined
            ("SHARED", None),  # a row written without a run id still counts
            ("SINGLE", "run-now"),  # written by this very run id: a rerun, not a duplicate
            (None, "run-old"),
        ],
        "transaction_id string, run_id string",
    )
    ids = processed_ids_excluding_run(processed, "run-now")
    classified = mark_duplicates_of_processed(
        mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA)), ids
    )
    expected = EXPECTED_IN_RUN | {
        "time-earlier": DUPLICATE_OF_PROCESSED,
        "shared-good": DUPLICATE_OF_PROCESSED,
    }
    result = classified.collect()
    assert len(result) == len(rows)
    assert {row.key: row[DISPOSITION] for row in result} == expected
    assert sorted(classified.columns) == sorted([*SCHEMA_COLUMNS, DISPOSITION])


def test_without_processed_data_nothing_is_a_processed_duplicate(spark, rows):
    marked = mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA))
    assert mark_duplicates_of_processed(marked, None) is marked


def test_processed_ids_keep_other_runs_and_rows_without_a_run_id(spark):
    processed = spark.createDataFrame(
        [("A", "run-1"), ("A", "run-2"), ("B", None), ("C", "run-now"), ("D", "run-now"), ("D", "run-1")],
        "transaction_id string, run_id string",
    )
    ids = processed_ids_excluding_run(processed, "run-now")
    assert sorted(row[0] for row in ids.collect()) == ["A", "B", "D"]
