"""Run counts, the reconciliation invariant and the run manifest document.

Counting rules:
- ``read`` is the number of non-blank input lines, counted straight from the text files
  (independently of parsing); blank or whitespace-only lines are reported separately as
  ``blank_lines_skipped`` and are in no other count;
- every read line has exactly one disposition (``dedup``): valid, quarantined, duplicate_in_run,
  duplicate_of_processed or duplicate_of_quarantined; ``duplicates`` is their sum over the three
  duplicate dispositions, and ``duplicate_bad_lines`` says how many of those duplicates were bad
  lines (copies of a raw text quarantined once, in this run or an earlier one), so that
  quarantined + duplicate_bad_lines = every bad line read;
- invariant: read = valid + quarantined + duplicates, and the per-reason counts add up to
  quarantined. ``reconcile`` raises ``ReconciliationError`` when either breaks; the job calls it
  before writing any output and checks the written row counts again before writing the manifest.

Manifest (``<output>/_manifest/<run-id>.json``)::

    {"run_id", "started_at", "finished_at", "input", "output", "quarantine", "customers", "schema",
     "now", "max_future_minutes", "job_version",
     "counts": {"read", "valid", "quarantined", "quarantined_by_reason": {reason: n},
                "duplicates_in_run", "duplicates_of_processed", "duplicates_of_quarantined", "duplicates",
                "duplicate_bad_lines", "blank_lines_skipped",
                "written": {"transactions": n, "<report>": rows, ...}}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame

from bankpipe.dedup import (
    DISPOSITIONS,
    DUPLICATE_DISPOSITIONS,
    DUPLICATE_IN_RUN,
    DUPLICATE_OF_PROCESSED,
    DUPLICATE_OF_QUARANTINED,
    QUARANTINED,
    VALID,
)
from bankpipe.validation import REASON


class ReconciliationError(RuntimeError):
    """Counts do not add up: rows were lost or invented. The run must not publish its manifest."""


@dataclass(frozen=True)
class RunCounts:
    read: int
    valid: int
    quarantined: int
    duplicates_in_run: int
    duplicates_of_processed: int
    duplicates_of_quarantined: int = 0
    duplicate_bad_lines: int = 0
    blank_lines_skipped: int = 0
    quarantined_by_reason: Mapping[str, int] = field(default_factory=dict)

    @property
    def duplicates(self) -> int:
        return self.duplicates_in_run + self.duplicates_of_processed + self.duplicates_of_quarantined

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "valid": self.valid,
            "quarantined": self.quarantined,
            "quarantined_by_reason": dict(sorted(self.quarantined_by_reason.items())),
            "duplicates_in_run": self.duplicates_in_run,
            "duplicates_of_processed": self.duplicates_of_processed,
            "duplicates_of_quarantined": self.duplicates_of_quarantined,
            "duplicates": self.duplicates,
            "duplicate_bad_lines": self.duplicate_bad_lines,
            "blank_lines_skipped": self.blank_lines_skipped,
        }


def count_dispositions(classified: DataFrame, read: int, blank_lines_skipped: int) -> RunCounts:
    """Collect the disposition/reason counts of ``dedup`` output (one small aggregation)."""
    rows = classified.groupBy("disposition", REASON).count().collect()
    by_disposition = dict.fromkeys(DISPOSITIONS, 0)
    by_reason: dict[str, int] = {}
    duplicate_bad_lines = 0
    for row in rows:
        if row["disposition"] not in by_disposition:
            raise ReconciliationError(f"unknown disposition {row['disposition']!r} in the classified rows")
        by_disposition[row["disposition"]] += row["count"]
        if row["disposition"] == QUARANTINED:
            by_reason[row[REASON]] = by_reason.get(row[REASON], 0) + row["count"]
        elif row["disposition"] in DUPLICATE_DISPOSITIONS and row[REASON] is not None:
            duplicate_bad_lines += row["count"]
    return RunCounts(
        read=read,
        valid=by_disposition[VALID],
        quarantined=by_disposition[QUARANTINED],
        duplicates_in_run=by_disposition[DUPLICATE_IN_RUN],
        duplicates_of_processed=by_disposition[DUPLICATE_OF_PROCESSED],
        duplicates_of_quarantined=by_disposition[DUPLICATE_OF_QUARANTINED],
        duplicate_bad_lines=duplicate_bad_lines,
        blank_lines_skipped=blank_lines_skipped,
        quarantined_by_reason=by_reason,
    )


def reconcile(counts: RunCounts) -> None:
    accounted = counts.valid + counts.quarantined + counts.duplicates
    if counts.read != accounted:
        raise ReconciliationError(
            f"read={counts.read} but valid+quarantined+duplicates={accounted} "
            f"(valid={counts.valid}, quarantined={counts.quarantined}, duplicates={counts.duplicates}): "
            "rows were lost or multiplied between reading and classification; nothing was published"
        )
    by_reason = sum(counts.quarantined_by_reason.values())
    if by_reason != counts.quarantined:
        raise ReconciliationError(
            f"quarantined={counts.quarantined} but the per-reason counts add up to {by_reason}"
        )
    if counts.duplicate_bad_lines > counts.duplicates:
        raise ReconciliationError(
            f"duplicate_bad_lines={counts.duplicate_bad_lines} exceeds duplicates={counts.duplicates}"
        )
    if any(
        value < 0
        for value in (
            counts.read,
            counts.valid,
            counts.quarantined,
            counts.duplicates_in_run,
            counts.duplicates_of_processed,
            counts.duplicates_of_quarantined,
            counts.duplicate_bad_lines,
        )
    ):
        raise ReconciliationError(f"negative count in {counts.as_dict()}")


def check_written(counts: RunCounts, written_transactions: int, written_quarantine: int) -> None:
    """The rows found in the outputs must be exactly the rows counted."""
    if written_transactions != counts.valid:
        raise ReconciliationError(
            f"{written_transactions} transactions were written but {counts.valid} were counted valid"
        )
    if written_quarantine != counts.quarantined:
        raise ReconciliationError(
            f"{written_quarantine} quarantine records were written but {counts.quarantined} were counted"
        )


def build_manifest(
    *,
    run_id: str,
    started_at: str,
    finished_at: str,
    input_uris: list[str],
    counts: RunCounts,
    written: Mapping[str, int],
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    reconcile(counts)
    document: dict[str, Any] = {
        "run_id": run_id,
        "started_at": started_at,
        "finished_at": finished_at,
        "input": input_uris[0] if len(input_uris) == 1 else list(input_uris),
    }
    document.update(details or {})
    document["counts"] = {**counts.as_dict(), "written": dict(written)}
    return document


def manifest_json(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=False) + "\n"
