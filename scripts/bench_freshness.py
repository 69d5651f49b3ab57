"""End-to-end freshness of the local twin, its cold start and its peak memory.

    .local/venv/bin/python scripts/bench_freshness.py [--files 10] [--lines 300] [--no-doc]

Starts a fresh twin in a temporary state dir on free ports (never touching a running demo) and times
the cold start (`twin.py start` + `twin.py connectors`). Then drops files one by one through
local/pipeline/run-pipeline.ts (each: generator file into the SFTP drop -> connectors -> raw zone -> start-run
-> ATM job -> crawler stand-in -> warehouse load -> refresh) and takes, per file, the time from the
file landing in the drop to its rows being queryable in the Athena stand-in (crawl registered) and
in the warehouse (load committed); each run's warehouse row delta is checked against the file's
good lines. A sampler sums the RSS of the twin's processes and everything the driver starts (Spark
JVMs included) every 0.5 s. Writes its section of docs/benchmarks.md (bench:freshness markers).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from repo_root import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "local"))
from services import twin_client
from services.settings import RUN_PIPELINE, TSX

DOC = REPO_ROOT / "docs" / "benchmarks.md"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, RSS bytes) for every process readable in /proc."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            table[int(entry)] = (int(fields[1]), int(fields[21]) * PAGE_SIZE)
        except (OSError, ValueError, IndexError):
            continue
    return table


def tree_rss(roots: set[int]) -> int:
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, stack, seen = 0, [pid for pid in roots if pid in table], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += table[pid][1]
        stack.extend(children.get(pid, []))
    return total


class RssSampler:
    """Samples the summed RSS of the given process trees in a background thread."""

    def __init__(self, roots: set[int]) -> None:
        self.roots = roots
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(set(self.roots)))
            self._stop.wait(0.5)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def stack(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    return twin_client.run_cli(env, *args, timeout=timeout, fail_with=SystemExit).stdout


def service_pids(home: Path) -> set[int]:
    return {json.loads(file.read_text())["pid"] for file in (home / "run").glob("*.json")}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def seconds_between(start: str, end: str) -> float:
    return (
        datetime.fromisoformat(end.replace("Z", "+00:00"))
        - datetime.fromisoformat(start.replace("Z", "+00:00"))
    ).total_seconds()


def run_files(
    env: dict[str, str], home: Path, files: int, lines: int, sampler: RssSampler
) -> list[dict[str, float]]:
    measurements = []
    for index in range(1, files + 1):
        result_file = home / f"bench-{index}.json"
        driver = subprocess.Popen(
            [
                str(TSX),
                str(RUN_PIPELINE),
                "--count",
                str(lines),
                "--seed",
                f"bench-{index}",
                "--json",
                str(result_file),
            ],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        sampler.roots.add(driver.pid)
        _, stderr = driver.communicate(timeout=900)
        sampler.roots.discard(driver.pid)
        if not result_file.exists():
            raise SystemExit(f"file {index}: the pipeline failed ({driver.returncode}):\n{stderr}")
        result = json.loads(result_file.read_text())
        # The table covers whole ingest hours, so earlier files of the same hour are in it too.
        lines_by_label = {line["label"]: line for line in result["reconciliation"]}
        loaded = lines_by_label["warehouse rows of these hours = valid"]
        if not loaded["ok"]:
            raise SystemExit(
                f"file {index}: {loaded['actual']} rows reached the warehouse, {loaded['expected']} expected"
            )
        landed = result["timings"]["files_landed"]
        last = result["executions"][-1]
        measurements.append(
            {
                "athena": seconds_between(landed, last["athenaQueryableAt"]),
                "warehouse": seconds_between(landed, last["warehouseQueryableAt"]),
                "raw": seconds_between(landed, result["timings"]["raw_complete"]),
            }
        )
        m = measurements[-1]
        print(
            f"file {index:2d}: raw {m['raw']:6.1f}s  athena {m['athena']:6.1f}s  "
            f"warehouse {m['warehouse']:6.1f}s",
            flush=True,
        )
    return measurements


def write_doc(body: str) -> None:
    start, end = "<!-- bench:freshness -->", "<!-- /bench:freshness -->"
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        _, after = rest.split(end, 1)
        DOC.write_text(before + block + after)
    else:
        DOC.write_text(f"{current.rstrip()}\n\n{block}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description="Local twin freshness, cold start and memory benchmark")
    parser.add_argument("--files", type=int, default=10, help="files dropped one by one (>= 10 for the doc)")
    parser.add_argument("--lines", type=int, default=300, help="lines per file")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args()

    home, env = twin_client.fresh_home("twin-bench-")
    try:
        began = time.monotonic()
        stack(env, "start")
        started = time.monotonic() - began
        stack(env, "connectors")
        cold_start = time.monotonic() - began
        print(f"cold start: services {started:.1f}s, with connectors RUNNING {cold_start:.1f}s", flush=True)
        env.update(twin_client.exports(stack(env, "env")))
        env["NODE_NO_WARNINGS"] = "1"
        idle_rss = tree_rss(service_pids(home))
        with RssSampler(service_pids(home)) as sampler:
            measurements = run_files(env, home, args.files, args.lines, sampler)
        peak = sampler.peak
    finally:
        twin_client.run_cli(env, "stop", timeout=300, fail_with=None)
        shutil.rmtree(home, ignore_errors=True)

    def stats(key: str) -> str:
        values = [m[key] for m in measurements]
        return f"{statistics.median(values):.1f} s | {percentile(values, 0.95):.1f} s | {max(values):.1f} s"

    cpus = os.cpu_count()
    body = f"""
## Local twin: end-to-end freshness, cold start, memory

`.local/venv/bin/python scripts/bench_freshness.py --files {args.files} --lines {args.lines}`, measured
{datetime.now().astimezone().strftime("%Y-%m-%d")} on {cpus} shared cores. Each file is dropped into the
SFTP drop on its own and carried through the whole pipeline (local/pipeline/run-pipeline.ts: connectors, raw
zone, start-run, ATM job on local Spark, crawler stand-in, warehouse load, report refresh) before the
next. Latency = from the file's rename into the drop to its rows being queryable.

| from file landing to ... ({len(measurements)} files) | p50 | p95 | max |
|---|---|---|---|
| all lines in the raw zone | {stats("raw")} |
| rows queryable in the Athena stand-in (DuckDB) | {stats("athena")} |
| rows queryable in the warehouse (PostgreSQL) | {stats("warehouse")} |

| stack | value |
|---|---|
| cold start, fresh state dir: all five services ready | {started:.1f} s |
| cold start including topic + both connectors RUNNING | {cold_start:.1f} s |
| memory, idle stack (sum of RSS of the five service process trees) | {idle_rss / 2**20:.0f} MiB |
| peak memory during the runs (services + driver + Spark JVMs, sampled every 0.5 s) | {peak / 2**20:.0f} MiB |

Where the time goes: the source connector waits `input.file.min.age.ms` (2 s locally) and polls every
second; the S3 sink rotates objects after 10 s locally (5 min on AWS); the ATM job and the load each
start a Spark JVM (a large share of each run on 2 cores). Runs are hourly on AWS, so the AWS freshness
is dominated by the schedule, not by these steps.
"""
    print(body)
    if not args.no_doc:
        write_doc(body)
        print(f"written to {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
