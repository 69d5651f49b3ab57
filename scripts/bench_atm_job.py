#!/usr/bin/env python3
"""Benchmark the ATM job (spark-submit, local[2]) against a DuckDB reference on the same input.

    .local/venv/bin/python scripts/bench_atm_job.py --rows 100000
    .local/venv/bin/python scripts/bench_atm_job.py --rows 10000000 --driver-memory 6g

Steps:
1. write ``--rows`` contract JSON lines (about 1 % bad lines of several kinds and 1 % duplicates,
   so the quarantine and dedup paths do real work) with a fast template writer;
2. run ``spark-jobs/atm_job.py`` through spark-submit at local[2] with the bankpipe zip on
   --py-files (as on EMR); wall time, rows/s and the peak RSS of the whole process tree (spark-submit,
   JVM, Python workers; sampled from /proc every 0.2 s);
3. run ``scripts/atm_duckdb_reference.py``, the job's transformations in DuckDB (validation derived
   from the same contract, dedup, the transactions partitioned by date, the quarantine, every report
   and the fraud rules), in its own process with 2 threads; same measurements;
4. check that both engines produced the same counts (per quarantine reason too), the same row count
   for every output, every report row for row and the same transactions (a per-row fingerprint),
   then print the time ratio;
5. write or replace the section for this row count in docs/benchmarks.md.

Nothing here is part of the job: it is a measuring tool. Work files go to .local/bench/atm (ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from repo_root import REPO_ROOT

VENV_BIN = Path(sys.executable).parent
DOC_PATH = REPO_ROOT / "docs" / "benchmarks.md"
ROWS_PER_FILE = 1_000_000
NOW = "2024-02-01T00:00:00Z"

sys.path.insert(0, str(REPO_ROOT / "spark-jobs"))
from bankpipe.layout import pipeline_layout  # noqa: E402
from bankpipe.package import build_zip  # noqa: E402

# ---- 1. input ------------------------------------------------------------------------------------

ATMS = [
    (f"ATM-{city[:3].upper()}-{n:03d}", f"{street} {n}", city, lat + n * 0.001, lon - n * 0.001)
    for city, street, lat, lon in (
        ("Prague", "Wenceslas Square", 50.0813, 14.4280),
        ("Brno", "Freedom Square", 49.1951, 16.6080),
        ("Ostrava", "Masaryk Square", 49.8355, 18.2926),
        ("Plzen", "Republic Square", 49.7477, 13.3776),
    )
    for n in range(1, 51)
]
ATM_TEMPLATE = (
    '{"transaction_id":"B%d","account_id":"ACC%05d","occurred_at":"%s","type":"debit",'
    '"operation":"%s","amount":"%d.%02d","currency":"CZK","channel":"atm","status":"%s",'
    '"atm_id":"%s","atm_location":"%s","city":"%s","country":"CZ","latitude":%.4f,"longitude":%.4f,'
    '"card_id":"CARD%05d","card_type":"%s","balance_after":%d.%02d}\n'
)
OTHER_TEMPLATE = (
    '{"transaction_id":"B%d","account_id":"ACC%05d","occurred_at":"%s","type":"%s","operation":"%s",'
    '"amount":%d.%02d,"currency":"CZK","channel":"%s","status":"%s","purpose":"bench"}\n'
)
OTHERS = (
    ("credit", "transfer_in", "online"),
    ("debit", "transfer_out", "mobile"),
    ("debit", "payment", "pos"),
    ("credit", "cash_deposit", "branch"),
)
STATUSES = ("completed",) * 8 + ("declined", "failed")
CARD_TYPES = ("classic", "gold", "junior")
# Bad lines both engines reject: malformed JSON, unknown enum, 3-decimal amount, bad currency.
BAD_LINES = (
    '{"transaction_id":"X%d","amount":',
    '{"transaction_id":"X%d","account_id":"A","occurred_at":"2024-01-01T00:00:00Z","type":"debit",'
    '"operation":"fee","amount":"1.00","currency":"CZK","channel":"kiosk","status":"completed"}',
    '{"transaction_id":"X%d","account_id":"A","occurred_at":"2024-01-01T00:00:00Z","type":"debit",'
    '"operation":"fee","amount":"1.005","currency":"CZK","channel":"branch","status":"completed"}',
    '{"transaction_id":"X%d","account_id":"A","occurred_at":"2024-01-01T00:00:00Z","type":"debit",'
    '"operation":"fee","amount":"1.00","currency":"czk","channel":"branch","status":"completed"}',
)


def write_input(folder: Path, rows: int, seed: int = 42) -> int:
    """Write ``rows`` lines in files of ROWS_PER_FILE; return the number of lines written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    # Precomputed timestamps (one per 9 s over January 2024: a month of backfill) avoid a strftime
    # per row.
    stamps = [
        datetime.fromtimestamp(start + i * 9, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(297_600)
    ]
    written = 0
    file_index = 0
    while written < rows:
        chunk = min(ROWS_PER_FILE, rows - written)
        path = folder / f"part-{file_index:04d}.jsonl"
        lines = []
        for offset in range(chunk):
            n = written + offset
            pick = rng.random()
            if pick < 0.01:
                lines.append(BAD_LINES[n % len(BAD_LINES)] % n + "\n")
                continue
            ident = n - 1 if pick < 0.02 and n else n  # ~1 % repeat the previous transaction_id
            stamp = stamps[(ident * 7919) % len(stamps)]
            account = ident % 50_000
            status = STATUSES[ident % len(STATUSES)]
            if ident % 10 < 6:
                atm = ATMS[ident % len(ATMS)]
                operation = "cash_withdrawal" if ident % 3 else "card_withdrawal"
                lines.append(
                    ATM_TEMPLATE
                    % (
                        ident,
                        account,
                        stamp,
                        operation,
                        ident % 500 + 1,
                        ident % 100,
                        status,
                        atm[0],
                        atm[1],
                        atm[2],
                        atm[3],
                        atm[4],
                        account,
                        CARD_TYPES[account % 3],
                        ident % 90_000,
                        ident % 100,
                    )
                )
            else:
                kind, operation, channel = OTHERS[ident % len(OTHERS)]
                lines.append(
                    OTHER_TEMPLATE
                    % (ident, account, stamp, kind, operation, ident % 2000 + 1, ident % 100, channel, status)
                )
        path.write_text("".join(lines))
        written += chunk
        file_index += 1
    return written


# ---- measuring -----------------------------------------------------------------------------------


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _tree_rss_kb(root: int) -> int:
    tree = _children_of()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def measure(command: list[str], env: dict[str, str] | None = None) -> Measurement:
    """Run ``command``; wall time and the peak summed RSS of its whole process tree."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    outputs: dict[str, str] = {}

    def drain(name: str, stream: object) -> None:
        outputs[name] = stream.read()  # type: ignore[attr-defined]

    readers = [
        threading.Thread(target=drain, args=("out", process.stdout)),
        threading.Thread(target=drain, args=("err", process.stderr)),
    ]
    for reader in readers:
        reader.start()
    while process.poll() is None:
        peak = max(peak, _tree_rss_kb(process.pid))
        time.sleep(0.2)
    for reader in readers:
        reader.join()
    return Measurement(
        time.monotonic() - started, peak / 1024, process.returncode, outputs["out"], outputs["err"]
    )


# ---- 2. the Spark job ----------------------------------------------------------------------------


def run_spark(work: Path, input_dir: Path, driver_memory: str) -> tuple[Measurement, dict]:
    archive = build_zip(work / "dist" / "bankpipe.zip")
    entry = work / "steps" / "atm_job.py"  # alone, as on EMR: the package comes from the zip
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text((REPO_ROOT / "spark-jobs" / "atm_job.py").read_text())
    for folder in ("processed", "quarantine"):
        subprocess.run(["rm", "-rf", str(work / folder)], check=True)
    command = [
        str(VENV_BIN / "spark-submit"),
        "--master",
        "local[2]",
        "--driver-memory",
        driver_memory,
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.driver.bindAddress=127.0.0.1",
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--conf",
        "spark.sql.shuffle.partitions=8",
        "--py-files",
        str(archive),
        str(entry),
        "--input",
        f"file://{input_dir}",
        "--output",
        f"file://{work / 'processed'}",
        "--quarantine",
        f"file://{work / 'quarantine'}",
        "--run-id",
        "bench-1",
        "--now",
        NOW,
    ]
    env = os.environ | {"PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    result = measure(command, env)
    if result.returncode != 0:
        raise SystemExit(f"spark-submit failed ({result.returncode}):\n{result.stderr[-4000:]}")
    manifest = json.loads((work / "processed" / pipeline_layout().manifest_name("bench-1")).read_text())
    return result, manifest


# ---- 3. the DuckDB reference ---------------------------------------------------------------------

REFERENCE_SCRIPT = REPO_ROOT / "scripts" / "atm_duckdb_reference.py"


def run_duckdb(work: Path, input_dir: Path, threads: int) -> tuple[Measurement, dict]:
    subprocess.run(["rm", "-rf", str(work / "duckdb")], check=True)  # the bench's own work folder
    command = [
        sys.executable,
        str(REFERENCE_SCRIPT),
        "--input",
        str(input_dir / "*.jsonl"),
        "--out",
        str(work / "duckdb"),
        "--now",
        NOW,
        "--threads",
        str(threads),
    ]
    result = measure(command)
    if result.returncode != 0:
        raise SystemExit(f"DuckDB reference failed:\n{result.stderr[-4000:]}")
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def differences(manifest_counts: dict, reference_counts: dict) -> list[str]:
    """Where the two engines disagree on what they produced (empty when they agree)."""
    found = []
    for key in ("read", "valid", "quarantined", "duplicates", "quarantined_by_reason"):
        if manifest_counts[key] != reference_counts[key]:
            found.append(f"{key}: spark {manifest_counts[key]} vs duckdb {reference_counts[key]}")
    for output, rows in reference_counts["written"].items():
        spark_rows = manifest_counts["written"].get(output)
        if spark_rows != rows:
            found.append(f"rows of {output}: spark {spark_rows} vs duckdb {rows}")
    return found


# Columns of the stored transactions whose values must agree row for row (a fingerprint: the sum of
# one hash per row, so 9.8M rows are compared without sorting them).
FINGERPRINT_COLUMNS = (
    "transaction_id",
    "account_id",
    "occurred_at",
    "operation",
    "amount",
    "currency",
    "status",
    "channel",
    "atm_id",
    "card_id",
    "extra_fields",
    "txn_hour",
    "signed_amount",
    "is_failure",
    "CAST(txn_date AS VARCHAR)",
)


def content_differences(work: Path, reports: list[str]) -> list[str]:
    """Compare the outputs themselves: every report row for row (EXCEPT ALL both ways, same column
    names), and the transactions by a per-row fingerprint."""
    import duckdb

    spark_dir, duck_dir = work / "processed", work / "duckdb"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    found = []
    for name in reports:
        spark = duckdb_parquet(spark_dir / "reports" / name / "*.parquet")
        duck = duckdb_parquet(duck_dir / "reports" / f"{name}.parquet")
        names = [con.sql(f"SELECT * FROM {source} LIMIT 0").columns for source in (spark, duck)]
        if names[0] != names[1]:
            found.append(f"{name} columns: spark {names[0]} vs duckdb {names[1]}")
            continue
        for left, right, side in ((spark, duck, "spark"), (duck, spark, "duckdb")):
            extra = con.execute(f"SELECT count(*) FROM (FROM {left} EXCEPT ALL FROM {right})").fetchone()[0]
            if extra:
                found.append(f"{name}: {extra} rows only in {side}'s output")
    row_hash = f"sum(hash({', '.join(FINGERPRINT_COLUMNS)}) % 1000000007)"
    prints = [
        con.execute(
            f"SELECT count(*), {row_hash} FROM {duckdb_parquet(root / 'transactions' / '*/*.parquet')}"
        ).fetchone()
        for root in (spark_dir, duck_dir)
    ]
    if prints[0] != prints[1]:
        found.append(f"transactions fingerprint (rows, hash sum): spark {prints[0]} vs duckdb {prints[1]}")
    return found


def duckdb_parquet(pattern: Path) -> str:
    return "read_parquet('" + str(pattern).replace("'", "''") + "', hive_partitioning = true)"


# ---- 5. report -----------------------------------------------------------------------------------


def update_doc(rows: int, section: str, path: Path = DOC_PATH) -> None:
    header = (
        "# ATM job benchmarks\n\n"
        "Produced by `scripts/bench_atm_job.py` (see its docstring for what is measured). Each section\n"
        "is rewritten when the script runs again for the same row count. Numbers from a shared 2-core\n"
        "machine vary with its load: the load average at the start is recorded with each run.\n"
    )
    text = path.read_text() if path.exists() else header
    begin, end = f"<!-- bench:rows={rows} -->", f"<!-- /bench:rows={rows} -->"
    block = f"{begin}\n{section.rstrip()}\n{end}\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


def human(n: float) -> str:
    return f"{n:,.0f}"


def describe(label: str, lines: int, result: Measurement) -> str:
    return (
        f"{label}: {result.seconds:.1f} s, {human(lines / result.seconds)} rows/s, "
        f"peak RSS {result.peak_rss_mb:,.0f} MiB"
    )


def table_row(engine: str, lines: int, result: Measurement) -> str:
    return (
        f"| {engine} | {result.seconds:.1f} | {human(lines / result.seconds)} | {result.peak_rss_mb:,.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, default=100_000, help="input lines to generate (1M and 10M targets)"
    )
    parser.add_argument("--work", type=Path, default=REPO_ROOT / ".local" / "bench" / "atm")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--duckdb-threads", type=int, default=2, help="as many as Spark's local[2] cores")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    work: Path = args.work.resolve() / f"rows-{args.rows}"
    input_dir = work / "input"
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    subprocess.run(["rm", "-rf", str(input_dir)], check=True)
    lines = write_input(input_dir, args.rows)
    size_mb = sum(f.stat().st_size for f in input_dir.glob("*.jsonl")) / 2**20
    print(
        f"input: {human(lines)} lines, {size_mb:,.0f} MiB in {time.monotonic() - started:.1f} s", flush=True
    )

    spark, manifest = run_spark(work, input_dir, args.driver_memory)
    counts = manifest["counts"]
    print(describe("spark", lines, spark), flush=True)
    rows = [table_row("ATM job: spark-submit local[2], every output", lines, spark)]
    comparison = "DuckDB reference skipped."
    if not args.skip_duckdb:
        duck, reference = run_duckdb(work, input_dir, args.duckdb_threads)
        mismatches = differences(counts, reference["counts"])
        reports = [name for name in reference["counts"]["written"] if name != "transactions"]
        mismatches += content_differences(work, reports)
        ratio = spark.seconds / duck.seconds
        print(describe("duckdb", lines, duck))
        print(f"ratio spark/duckdb: {ratio:.1f}x, same results: {not mismatches} {mismatches}")
        rows.append(
            table_row(
                f"DuckDB reference: the same transformations and outputs, {args.duckdb_threads} threads",
                lines,
                duck,
            )
        )
        agreement = (
            "**yes**: the same read, valid, quarantined-by-reason and duplicate counts; every report "
            "identical row for row; the same transactions (row count and a per-row fingerprint of "
            f"{len(FINGERPRINT_COLUMNS)} columns)"
            if not mismatches
            else "**NO**: " + "; ".join(mismatches)
        )
        comparison = f"Spark / DuckDB wall-time ratio: **{ratio:.1f}x**. Both engines agree: {agreement}."
    reasons = ", ".join(f"{reason} {n}" for reason, n in counts["quarantined_by_reason"].items())
    timings = ", ".join(
        f"{phase} {seconds:.1f}" for phase, seconds in manifest.get("timings_seconds", {}).items()
    )
    section = "\n".join(
        [
            f"## {human(args.rows)} rows",
            "",
            f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on {os.cpu_count()} CPUs "
            f"({platform.machine()}), load average {load_before:.1f} at start, driver memory "
            f"{args.driver_memory}. Input: {human(lines)} lines, {size_mb:,.0f} MiB (~1 % bad lines, "
            "~1 % duplicate ids).",
            "",
            "| engine | wall s | rows/s | peak RSS MiB |",
            "| --- | ---: | ---: | ---: |",
            *rows,
            "",
            comparison,
            "",
            f"Job phases (s, from the manifest): {timings}.",
            "",
            f"Manifest counts: read {human(counts['read'])}, valid {human(counts['valid'])}, "
            f"quarantined {human(counts['quarantined'])} ({reasons}), "
            f"duplicates {human(counts['duplicates'])}.",
        ]
    )
    if not args.no_doc:
        update_doc(args.rows, section)
        print(f"updated {DOC_PATH.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
