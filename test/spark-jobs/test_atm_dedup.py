"""dedup: one deterministic winner per transaction_id, duplicates of processed data, rerun exclusion."""

from __future__ import annotations

from datetime import datetime

from bankpipe.dedup import (
    DUPLICATE_IN_RUN,
    DUPLICATE_OF_PROCESSED,
    QUARANTINED,
    VALID,
    mark_duplicates_in_run,
    mark_duplicates_of_processed,
    processed_ids_excluding_run,
)
from fixtures.frames import DEDUP_INPUT_SCHEMA as SCHEMA


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, 31, hour, minute)


ROWS = [
    # key, reason, transaction_id, occurred_at, raw_line, source_file
    ("t1-late", None, "T1", at(12), "line-a", "f1"),
    ("t1-early", None, "T1", at(9), "line-z", "f2"),
    ("t1-mid", None, "T1", at(10), "line-b", "f1"),
    ("t2-b", None, "T2", at(8), "line-2b", "f1"),
    ("t2-a", None, "T2", at(8), "line-2a", "f2"),
    ("t3", None, "T3", at(7), "line-3", "f1"),
    ("t4", None, "T4", at(7), "line-4", "f1"),
    ("t5", None, "T5", at(7), "line-5", "f1"),
    ("t6-1", None, "T6", at(6), "line-6", "f1"),
    ("t6-2", None, "T6", at(6), "line-6", "f1"),
    # A bad line is identified by its text: identical ones are quarantined once; one sharing a valid
    # line's id takes nothing from it.
    ("bad-1", "malformed_json", None, None, "garbage", "f1"),
    ("bad-2", "malformed_json", None, None, "garbage", "f1"),
    ("bad-3", "invalid_enum:channel", "T3", at(1), "line-3-bad", "f1"),
]
PROCESSED = [("T4", "run-0"), ("T1", "run-0"), ("T5", "run-now"), (None, "run-0")]


def test_dispositions(spark):
    validated = spark.createDataFrame(ROWS, SCHEMA)
    processed = spark.createDataFrame(PROCESSED, "transaction_id string, run_id string")
    ids = processed_ids_excluding_run(processed, "run-now")
    classified = mark_duplicates_of_processed(mark_duplicates_in_run(validated), ids)
    result = {row.key: row.disposition for row in classified.collect()}
    # Exact copies: one wins, whichever it is (they are indistinguishable).
    assert sorted([result.pop("t6-1"), result.pop("t6-2")]) == [DUPLICATE_IN_RUN, VALID]
    assert sorted([result.pop("bad-1"), result.pop("bad-2")]) == [DUPLICATE_IN_RUN, QUARANTINED]
    # Same instant, different lines: one wins (by line hash), checked for order independence below.
    assert sorted([result.pop("t2-a"), result.pop("t2-b")]) == [DUPLICATE_IN_RUN, VALID]
    assert result == {
        "t1-early": DUPLICATE_OF_PROCESSED,  # earliest occurred_at wins in the run, then T1 is already stored
        "t1-mid": DUPLICATE_IN_RUN,
        "t1-late": DUPLICATE_IN_RUN,
        "t3": VALID,
        "t4": DUPLICATE_OF_PROCESSED,
        "t5": VALID,  # written before by this same run id: not a duplicate on a rerun
        "bad-3": QUARANTINED,
    }
    assert classified.count() == len(ROWS)


def test_without_processed_data_only_in_run_duplicates_exist(spark):
    validated = spark.createDataFrame(ROWS, SCHEMA)
    classified = mark_duplicates_of_processed(mark_duplicates_in_run(validated), None)
    counts = {row.disposition: row["count"] for row in classified.groupBy("disposition").count().collect()}
    assert counts == {VALID: 6, DUPLICATE_IN_RUN: 5, QUARANTINED: 2}


def test_the_winner_does_not_depend_on_row_order(spark):
    forward = spark.createDataFrame(ROWS, SCHEMA).repartition(3)
    backward = spark.createDataFrame(list(reversed(ROWS)), SCHEMA).coalesce(1)

    def winners(frame):
        marked = mark_duplicates_in_run(frame)
        return sorted(row.key for row in marked.where(f"disposition = '{VALID}'").collect())

    assert winners(forward) == winners(backward)


def test_raw_lines_are_kept_only_for_quarantined_rows(spark):
    marked = mark_duplicates_in_run(spark.createDataFrame(ROWS, SCHEMA))
    kept = {row.key: row.raw_line for row in marked.collect()}
    assert {kept["bad-1"], kept["bad-2"]} == {"garbage", None}  # the losing copy keeps no raw line
    assert kept["bad-3"] == "line-3-bad"
    assert kept["t1-early"] is None and kept["t3"] is None
