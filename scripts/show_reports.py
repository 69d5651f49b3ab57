#!/usr/bin/env python3
"""Print what one ATM job run wrote: its manifest counts, a sample of quarantined lines and every report.

    .local/venv/bin/python scripts/show_reports.py --output DIR --quarantine DIR --run-id ID

Reads the Parquet and JSON outputs with DuckDB (in the project venv), so nothing needs Spark. The
paths are the job's --output and --quarantine folders (local paths, not file:// URIs).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
from repo_root import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "spark-jobs"))
from bankpipe.layout import pipeline_layout

REPORT_ROWS = 8


def show(output: Path, quarantine: Path, run_id: str) -> None:
    manifest_path = output / pipeline_layout().manifest_name(run_id)
    if not manifest_path.is_file():
        raise SystemExit(
            f"no manifest at {manifest_path}: the run {run_id!r} did not finish there. "
            "Check --output and --run-id (they must be the job's)."
        )
    counts = json.loads(manifest_path.read_text())["counts"]
    print(
        f"run {run_id}: read {counts['read']:,} = valid {counts['valid']:,} "
        f"+ quarantined {counts['quarantined']:,} + duplicates {counts['duplicates']:,}"
    )
    for reason, n in sorted(counts["quarantined_by_reason"].items(), key=lambda item: -item[1]):
        print(f"  quarantined {reason}: {n:,}")
    records = sorted((quarantine / pipeline_layout().quarantine_run_folder(run_id)).glob("*.json"))
    if records:
        # Paths go through the Python API, not into SQL text, so any character in them is fine.
        sample = duckdb.read_json([str(r) for r in records]).project("reason, left(raw_line, 70) AS raw_line")
        print("\nquarantine sample:")
        sample.limit(3).show()
    reports = output / "reports"
    if not reports.is_dir():
        raise SystemExit(f"no reports folder at {reports}: the run wrote its manifest but no reports")
    for report in sorted(path for path in reports.iterdir() if path.is_dir()):
        relation = duckdb.read_parquet([str(part) for part in sorted(report.glob("*.parquet"))])
        print(f"\n{report.name}: {relation.shape[0]:,} rows")
        relation.limit(REPORT_ROWS).show(max_width=160)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--output", required=True, type=Path, help="the job's --output folder")
    parser.add_argument("--quarantine", required=True, type=Path, help="the job's --quarantine folder")
    parser.add_argument("--run-id", required=True)
    args = parser.parse_args(argv)
    show(args.output, args.quarantine, args.run_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
