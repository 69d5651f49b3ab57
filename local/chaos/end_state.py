"""The twin's end state read straight from its stores, compared with the generator's truth.

s3proxy's filesystem store keeps objects as plain files under data/s3/<bucket>/<key>, so the zones
are read from disk (no S3 listing races); the warehouse through PostgreSQL. What is checked:

- every good line exactly once in the processed zone (by transaction id), every bad line exactly
  once in quarantine (by the line itself: its text is its identity, so a text the generator wrote
  twice, such as `null`, is quarantined once and the job counts the other copy as a duplicate, as it
  does a re-delivered copy), deliberate duplicates in neither;
- the warehouse holds exactly the processed zone's transaction ids;
- each report the job wrote equals the same report recomputed now from the processed zone
  (sql/athena/<report>.sql on DuckDB, the Athena stand-in).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from chaos.truth import Truth
from chaos.twin_control import REPO_ROOT, Twin
from services import twin_client
from services.athena_standin import DUCKDB_CONFIG, crawler_typed_parquet
from services.settings import pipeline_layout

ATHENA_SQL = REPO_ROOT / "sql" / "athena"
LAYOUT = pipeline_layout()

sys.path.insert(0, str(REPO_ROOT / "spark-jobs"))
# The ATM job's report list: which reports its SQL computes (recomputed here) and which one the fraud
# rules write (their named query reads the job's table back: nothing to recompute; the live alerts
# are compared with it).
from bankpipe.reports import FRAUD_REPORT, SQL_REPORTS  # noqa: E402, F401 (FRAUD_REPORT: for the live check)


def _visible(path: Path, root: Path) -> bool:
    """What Spark, Athena and the job read: no part of the key starts with `_` or `.`."""
    return not any(part.startswith(("_", ".")) for part in path.relative_to(root).parts)


def data_files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.name.endswith(suffixes) and _visible(p, root)
    )


def raw_lines(twin: Twin) -> Counter[str]:
    root = twin.bucket_dir("raw") / LAYOUT.raw_transactions_prefix
    lines: Counter[str] = Counter()
    for path in data_files(root, (".json", ".jsonl")):
        lines.update(line for line in path.read_text(encoding="utf-8").split("\n") if line.strip())
    return lines


def processed_ids(twin: Twin) -> Counter[str]:
    files = data_files(twin.bucket_dir("processed") / LAYOUT.processed_transactions_prefix, (".parquet",))
    if not files:
        return Counter()
    with duckdb.connect(config=DUCKDB_CONFIG) as connection:
        rows = connection.execute(
            "SELECT transaction_id FROM read_parquet(?, union_by_name = true)", [[str(f) for f in files]]
        ).fetchall()
    return Counter(str(row[0]) for row in rows)


def quarantined_lines(twin: Twin) -> Counter[str]:
    lines: Counter[str] = Counter()
    for path in data_files(twin.bucket_dir("quarantine"), (".json", ".jsonl")):
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.strip():
                lines[json.loads(text)["raw_line"]] += 1
    return lines


def warehouse_ids(env: dict[str, str]) -> Counter[str]:
    with twin_client.warehouse_connection(env) as connection:
        exists = connection.execute("SELECT to_regclass('banking.transactions') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return Counter()
        rows = connection.execute("SELECT transaction_id FROM banking.transactions").fetchall()
    return Counter(str(row[0]) for row in rows)


def _normal(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.9g}"
    if isinstance(value, decimal.Decimal):
        return f"{value.normalize():f}" if value != 0 else "0"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def report_differences(twin: Twin) -> dict[str, str]:
    """Report name -> what differs between the job's table and a recomputation (empty when equal)."""
    processed = twin.bucket_dir("processed")
    transactions = processed / LAYOUT.processed_transactions_prefix
    if not data_files(transactions, (".parquet",)):
        return {}
    differences: dict[str, str] = {}
    with duckdb.connect(config=DUCKDB_CONFIG) as connection:
        connection.execute(f"CREATE VIEW transactions AS SELECT * FROM {crawler_typed_parquet(transactions)}")
        for report in SQL_REPORTS:
            name = report.name
            folder = processed / LAYOUT.processed_reports_prefix / name
            if not data_files(folder, (".parquet",)):
                continue
            try:
                cursor = connection.execute((ATHENA_SQL / f"{name}.sql").read_text(encoding="utf-8"))
            except duckdb.CatalogException:
                continue  # reads a table this twin has no data for (the customers of a generator run)
            columns = [column[0] for column in cursor.description]
            fresh = sorted(tuple(_normal(v) for v in row) for row in cursor.fetchall())
            select = ", ".join(f'"{c}"' for c in columns)
            written = sorted(
                tuple(_normal(v) for v in row)
                for row in connection.execute(
                    f"SELECT {select} FROM {crawler_typed_parquet(folder)}"
                ).fetchall()
            )
            if fresh != written:
                only_fresh = len(set(fresh) - set(written))
                only_written = len(set(written) - set(fresh))
                differences[name] = (
                    f"{len(written)} rows written vs {len(fresh)} recomputed "
                    f"({only_written} only in the job's table, {only_fresh} only in the recomputation)"
                )
    return differences


@dataclass
class Verdict:
    lines: int
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    raw_missing: int = 0
    raw_redelivered: int = 0
    warehouse_problems: list[str] = field(default_factory=list)
    report_problems: dict[str, str] = field(default_factory=dict)
    raw_only: bool = False

    @property
    def ok(self) -> bool:
        return not (self.lost or self.doubled or self.warehouse_problems or self.report_problems)


def raw_progress(twin: Twin, truth: Truth) -> tuple[int, int]:
    """(generated lines present at least once in the raw zone, extra copies beyond what was generated)."""
    found = raw_lines(twin)
    present = sum(min(found[line], n) for line, n in truth.all_lines.items())
    extra = sum(max(found[line] - n, 0) for line, n in truth.all_lines.items())
    return present, extra


def check_raw(twin: Twin, truth: Truth, so_far: Truth) -> Verdict:
    """The ingest half alone: every line of `truth` (one scenario's) at least once in the raw zone
    (extra copies are at-least-once re-deliveries the job must remove; the full check after the
    pipeline says if it did).

    A line is counted against `so_far`, every line generated on the twin so far: the raw zone holds
    all of them, and a text more than one scenario generated (every generator run writes `null`)
    has a copy per scenario there, which the scenario's own count would take for re-deliveries."""
    verdict = Verdict(lines=truth.total, raw_only=True)
    found = raw_lines(twin)
    for line in truth.all_lines:
        if found[line] < so_far.all_lines[line]:
            verdict.lost.append(f"not in the raw zone: {line[:80]}")
    verdict.raw_missing = len(verdict.lost)
    verdict.raw_redelivered = sum(max(found[line] - so_far.all_lines[line], 0) for line in truth.all_lines)
    return verdict


def compare_lines(verdict: Verdict, truth: Truth, processed: Counter[str], quarantined: Counter[str]) -> None:
    """Adds to `lost` and `doubled`: each good id once in `processed`, each bad text once in
    `quarantined` (raw line -> records), however many times it was generated."""
    for tid in truth.good_ids:
        if processed[tid] == 0:
            verdict.lost.append(f"good {tid}: not in the processed zone")
        elif processed[tid] > 1:
            verdict.doubled.append(f"good {tid}: {processed[tid]} times in the processed zone")
    for tid in processed.keys() - truth.good_ids.keys():
        verdict.doubled.append(f"{tid}: in the processed zone but never generated as a good line")
    for line, written in truth.bad_lines.items():
        found = quarantined[line]
        if found == 0:
            verdict.lost.append(f"bad line not quarantined: {line[:80]}")
        elif found > 1:
            verdict.doubled.append(f"bad line quarantined {found} times (generated {written}): {line[:80]}")
    for line in quarantined.keys() - truth.bad_lines.keys():
        verdict.doubled.append(f"quarantined but never generated as a bad line: {line[:80]}")


def check(twin: Twin, truth: Truth, env: dict[str, str]) -> Verdict:
    verdict = Verdict(lines=truth.total)
    present, verdict.raw_redelivered = raw_progress(twin, truth)
    verdict.raw_missing = truth.total - present

    processed = processed_ids(twin)
    compare_lines(verdict, truth, processed, quarantined_lines(twin))

    warehouse = warehouse_ids(env)
    if warehouse != Counter(processed.keys()):
        missing = len(processed.keys() - warehouse.keys())
        extra = len(warehouse.keys() - processed.keys())
        repeated = sum(1 for n in warehouse.values() if n > 1)
        verdict.warehouse_problems.append(
            f"warehouse {sum(warehouse.values())} rows vs {len(processed)} processed ids: "
            f"{missing} missing, {extra} not processed, {repeated} repeated"
        )
    verdict.report_problems = report_differences(twin)
    return verdict
