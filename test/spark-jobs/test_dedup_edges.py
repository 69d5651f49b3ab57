"""Deduplication pinned at its tie-breaks: which line wins when two lines share an identity (the
transaction id of a valid line, the exact text of a bad one), and bad lines quarantined by earlier runs.

The rule (bankpipe/dedup.py): the earliest occurred_at wins, then the smallest xxhash64 of the raw
line, then the smallest source_file. Each tie-break is tested where the earlier keys are exactly equal
(to the microsecond Spark keeps) and the later keys point the other way, so a test fails if a key is
dropped, reversed or reordered. Identical bad lines differ only in their source file. Every scenario
uses its own transaction id (or bad text) and all are marked in one Spark job per input order,
checked inside the test that runs it (mutmut runs, for a mutant, only the tests that called the
mutated function); `make mutation` runs this file against mutants of bankpipe/dedup.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.dedup import (
    DISPOSITION,
    DUPLICATE_IN_RUN,
    DUPLICATE_OF_PROCESSED,
    DUPLICATE_OF_QUARANTINED,
    QUARANTINE_LINE_SCHEMA,
    QUARANTINED,
    VALID,
    mark_duplicates_in_run,
    mark_duplicates_of_processed,
    mark_duplicates_of_quarantined,
    processed_ids_excluding_run,
    quarantined_lines_excluding_run,
)
from fixtures.frames import DEDUP_INPUT_SCHEMA as SCHEMA

T0 = datetime(2024, 1, 31, 10, 0, 0)
MICRO = timedelta(microseconds=1)
LINES = [f'{{"transaction_id":"E","n":{n}}}' for n in range(4)]
BAD_LINE = "{not json"
# Bad lines as the generator writes them more than once: the same text without any id.
REPEATED_BAD = "null"
TRIPLE_BAD = '{"transaction_id":'
OTHER_BAD = '{"transaction_id":"BAD","channel":"kiosk"}'


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
        # A valid id that equals a bad line's text, or its hash: validity keeps their groups apart.
        ("hash-named", None, bad_hash_as_id, T0, low, "a"),
        ("text-named", None, BAD_LINE, T0, low, "a"),
        ("bad-alone", "malformed_json", None, None, BAD_LINE, "a"),
        # The same bad text twice (a re-delivery, or a log writing it twice): quarantined once, the
        # copy in the smaller source file (plain string order) wins.
        ("repeat-hour-11", "not_an_object", None, None, REPEATED_BAD, "s3://raw/hour=11/part-0.jsonl"),
        ("repeat-hour-10", "not_an_object", None, None, REPEATED_BAD, "s3://raw/hour=10/part-9.jsonl"),
        # Three copies: exactly one is quarantined, the one in the smallest source file.
        ("triple-1", "malformed_json", None, None, TRIPLE_BAD, "c"),
        ("triple-2", "malformed_json", None, None, TRIPLE_BAD, "a"),
        ("triple-3", "malformed_json", None, None, TRIPLE_BAD, "b"),
        # Two different bad texts with one transaction id: a bad line's identity is its text, not its id.
        ("bad-a", "invalid_enum:channel", "BAD", T0, OTHER_BAD, "a"),
        ("bad-b", "invalid_enum:channel", "BAD", T0, OTHER_BAD.replace("kiosk", "web"), "a"),
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
    "text-named": VALID,
    "bad-alone": QUARANTINED,
    "repeat-hour-11": DUPLICATE_IN_RUN,
    "repeat-hour-10": QUARANTINED,
    "triple-1": DUPLICATE_IN_RUN,
    "triple-2": QUARANTINED,
    "triple-3": DUPLICATE_IN_RUN,
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
    assert kept["bad-alone"] == BAD_LINE
    assert kept["triple-2"] == TRIPLE_BAD
    # A bad copy keeps its reason: the manifest counts it among the duplicates of bad lines.
    assert {marked_rows[f"triple-{n}"]["reason"] for n in (1, 2, 3)} == {"malformed_json"}


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


# ---- bad lines quarantined by earlier runs -------------------------------------------------------


def earlier_quarantine(spark, records: list[tuple[str | None, str | None]]):
    return spark.createDataFrame(records, QUARANTINE_LINE_SCHEMA)


def only_valid_texts(rows: list[tuple]) -> set[str]:
    bad_texts = {row[4] for row in rows if row[1] is not None}
    return {row[4] for row in rows if row[1] is None} - bad_texts


def test_a_bad_line_quarantined_by_an_earlier_run_is_a_duplicate_of_quarantined(spark, rows):
    quarantine = earlier_quarantine(
        spark,
        [
            ("run-old", BAD_LINE),  # bad-alone was re-delivered into a later hour
            ("run-older", BAD_LINE),  # quarantined twice before must not double the row
            (None, REPEATED_BAD),  # a record without a run id still counts
            ("run-now", TRIPLE_BAD),  # written by this very run id: a rerun, not a duplicate
            ("run-old", None),
            # Texts of this run's valid lines (quarantined under a stricter contract): they stay valid.
            *[("run-old", line) for line in only_valid_texts(rows)],
        ],
    )
    lines = quarantined_lines_excluding_run(quarantine, "run-now")
    classified = mark_duplicates_of_quarantined(
        mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA)), lines
    )
    expected = EXPECTED_IN_RUN | {
        "bad-alone": DUPLICATE_OF_QUARANTINED,
        # The run's winner becomes the duplicate; its in-run copy stays a duplicate in run.
        "repeat-hour-10": DUPLICATE_OF_QUARANTINED,
    }
    result = {row.key: row.asDict() for row in classified.collect()}
    assert len(result) == len(rows)
    assert {key: row[DISPOSITION] for key, row in result.items()} == expected
    assert sorted(classified.columns) == sorted([*SCHEMA_COLUMNS, DISPOSITION])
    # Only what this run quarantines keeps its raw line; the duplicate keeps its reason.
    assert result["bad-alone"]["raw_line"] is None
    assert result["bad-alone"]["reason"] == "malformed_json"
    assert result["triple-2"]["raw_line"] == TRIPLE_BAD


def test_a_rerun_of_the_same_run_id_reproduces_its_own_quarantine(spark, rows):
    first = mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA))
    own = first.where(F.col(DISPOSITION) == QUARANTINED).select(F.lit("run-now").alias("run_id"), "raw_line")
    again = mark_duplicates_of_quarantined(
        mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA)),
        quarantined_lines_excluding_run(own, "run-now"),
    )
    assert dispositions(again) == EXPECTED_IN_RUN
    # The same records seen from the next run: every one of its lines is then a duplicate.
    by_next_run = mark_duplicates_of_quarantined(
        mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA)),
        quarantined_lines_excluding_run(own, "run-next"),
    )
    assert {key for key, d in dispositions(by_next_run).items() if d == DUPLICATE_OF_QUARANTINED} == {
        key for key, d in EXPECTED_IN_RUN.items() if d == QUARANTINED
    }


def test_without_earlier_quarantine_nothing_is_a_duplicate_of_quarantined(spark, rows):
    marked = mark_duplicates_in_run(spark.createDataFrame(rows, SCHEMA))
    assert mark_duplicates_of_quarantined(marked, None) is marked


def test_quarantined_lines_keep_other_runs_and_records_without_a_run_id(spark):
    quarantine = earlier_quarantine(
        spark,
        [("run-1", "a"), ("run-2", "a"), (None, "b"), ("run-now", "c"), ("run-now", "d"), ("run-1", "d")],
    )
    lines = quarantined_lines_excluding_run(quarantine, "run-now")
    assert sorted(row[0] for row in lines.collect()) == ["a", "b", "d"]
