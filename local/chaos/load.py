"""The load ramp (`make load`): generated lines into the SFTP drop at rising rates, a few minutes each,
on a fresh twin, sampling every couple of seconds:

- source backlog: lines uploaded but not yet on the topic (the SFTP source behind);
- sink lag: records on the topic the S3 sink's consumer group has not committed (the sink behind;
  it commits only what is in S3, so a steady lag of about rate x rotation interval is normal);
- file to raw zone: from a file's rename in the drop until the raw zone holds as many lines as were
  uploaded up to and including that file (the source reads oldest first).

A rate is sustained when everything reached the raw zone soon after the last upload and the
latency did not grow (see Phase.sustained).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chaos import kafka_lag
from chaos.end_state import data_files
from chaos.report import markdown_table, replace_section
from chaos.series import slope
from chaos.truth import run_generator
from chaos.twin_control import REPO_ROOT, ChaosError, Twin, fresh_twin
from services.servers.sftp import sftp_client_command

RELIABILITY_DOC = REPO_ROOT / "docs" / "reliability.md"
FILE_SECONDS = 5  # one file per 5 s of lines: a log server rolls its files, it does not stream lines
SAMPLE_SECONDS = 2.0
DRAIN_SECONDS = 90
SUSTAINED_DRAIN_SECONDS = 30


@dataclass
class Sample:
    at: float
    uploaded: int
    on_topic: int
    sink_lag: int
    raw: int
    load: float


@dataclass
class Phase:
    rate: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    file_to_raw: list[float] = field(default_factory=list)
    drained_after: float | None = None

    def _second_half(self) -> list[Sample]:
        during = [s for s in self.samples if s.at <= self.seconds]
        return during[len(during) // 2 :]

    @property
    def backlog_growth(self) -> float:
        """Lines/s by which the source backlog grew over the second half of the phase."""
        return slope([(s.at, s.uploaded - s.on_topic) for s in self._second_half()])

    @property
    def lag_growth(self) -> float:
        return slope([(s.at, s.sink_lag) for s in self._second_half()])

    @property
    def sustained(self) -> bool:
        """Kept up: everything uploaded reached the raw zone within SUSTAINED_DRAIN_SECONDS of the last
        upload, and the last files took no longer to reach it than the first ones (10 s slack). The lag
        itself is a saw-tooth (the sink rotates objects every 10 s and commits after), so its slope
        over a short phase says little; the growth columns are shown for reading, not for this verdict."""
        if self.drained_after is None or self.drained_after > SUSTAINED_DRAIN_SECONDS:
            return False
        latencies = self.file_to_raw
        if len(latencies) < 6:
            return True
        return max(latencies[-3:]) <= max(latencies[:3]) + 10

    def throughput(self, attribute: str) -> float:
        during = [s for s in self.samples if s.at <= self.seconds]
        if len(during) < 2:
            return 0.0
        first, last = during[0], during[-1]
        return (getattr(last, attribute) - getattr(first, attribute)) / max(last.at - first.at, 1e-9)


class RawCounter:
    """Lines in the raw zone, counting each object once per size (objects are written whole)."""

    def __init__(self, twin: Twin) -> None:
        self.root = twin.bucket_dir("raw") / "transactions"
        self.seen: dict[Path, tuple[int, int]] = {}

    def count(self) -> int:
        for path in data_files(self.root, (".json", ".jsonl")):
            size = path.stat().st_size
            if self.seen.get(path, (-1, 0))[0] != size:
                self.seen[path] = (size, path.read_bytes().count(b"\n"))
        return sum(lines for _, lines in self.seen.values())


def _generate(out_dir: Path, rate: int, seconds: float, seed: str) -> list[tuple[Path, int]]:
    run_generator(out_dir, seed, int(rate * seconds), "--lines-per-file", str(rate * FILE_SECONDS))
    files = sorted(out_dir.glob("*.jsonl"))
    return [(f, f.read_bytes().count(b"\n")) for f in files]


def run_phase(twin: Twin, rate: int, seconds: float, staging: Path, sink: kafka_lag.SinkGroup) -> Phase:
    files = _generate(staging / f"rate-{rate}", rate, seconds, f"load-{rate}")
    phase = Phase(rate, seconds)
    kafka_port = int(twin.env["TWIN_KAFKA_PORT"])
    topic_before, _ = kafka_lag.lag(kafka_port, sink)
    raw = RawCounter(twin)
    raw_before = raw.count()
    # One SFTP session for the whole phase, fed a put + rename every FILE_SECONDS.
    sftp = subprocess.Popen(
        sftp_client_command(twin.sftp_layout, int(twin.env["TWIN_SFTP_PORT"])),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert sftp.stdin is not None
    began = time.monotonic()
    uploaded = 0
    uploads: list[tuple[float, int]] = []  # (time of the rename, lines uploaded up to this file)
    pending = list(files)
    next_sample = 0.0
    try:
        while True:
            now = time.monotonic() - began
            while pending and now >= len(uploads) * FILE_SECONDS:
                file, lines = pending.pop(0)
                sftp.stdin.write(f"put {file} {file.name}.part\nrename {file.name}.part {file.name}\n")
                sftp.stdin.flush()
                uploaded += lines
                uploads.append((now, uploaded))
            if now >= next_sample:
                on_topic, sink_lag = kafka_lag.lag(kafka_port, sink)
                count = raw.count() - raw_before
                phase.samples.append(
                    Sample(now, uploaded, on_topic - topic_before, sink_lag, count, os.getloadavg()[0])
                )
                while len(phase.file_to_raw) < len(uploads) and count >= uploads[len(phase.file_to_raw)][1]:
                    phase.file_to_raw.append(now - uploads[len(phase.file_to_raw)][0])
                next_sample = now + SAMPLE_SECONDS
                if not pending and count >= uploaded:
                    phase.drained_after = max(0.0, now - seconds)
                    break
                if not pending and now > seconds + DRAIN_SECONDS:
                    break
            time.sleep(0.1)
    finally:
        sftp.stdin.close()
        if sftp.wait(60) != 0:
            raise ChaosError(
                f"sftp session of rate {rate} failed: {sftp.stderr.read() if sftp.stderr else ''}"
            )
    return phase


def phase_row(phase: Phase) -> list[object]:
    latencies = sorted(phase.file_to_raw)
    p50 = f"{statistics.median(latencies):.0f}" if latencies else "-"
    worst = f"{latencies[-1]:.0f}" if latencies else "-"
    lags = [s.sink_lag for s in phase.samples if s.at <= phase.seconds]
    drained = (
        f"{phase.drained_after:.0f} s" if phase.drained_after is not None else f"not in {DRAIN_SECONDS} s"
    )
    loads = [s.load for s in phase.samples]
    return [
        phase.rate,
        f"{phase.throughput('on_topic'):.0f}",
        f"{phase.throughput('raw'):.0f}",
        f"{max(lags) if lags else 0:,}",
        f"{phase.lag_growth:+.0f}",
        f"{phase.backlog_growth:+.0f}",
        f"{p50} / {worst}",
        drained,
        f"{statistics.fmean(loads):.1f}" if loads else "-",
        "yes" if phase.sustained else "no",
    ]


HEADER = (
    "offered lines/s",
    "to topic lines/s",
    "to raw lines/s",
    "max sink lag",
    "sink lag growth /s",
    "source backlog growth /s",
    "file to raw p50 / max s",
    "drained after",
    "load avg",
    "sustained",
)


def lag_series(phase: Phase) -> str:
    points = [s for s in phase.samples][:: max(1, len(phase.samples) // 12)]
    return ", ".join(f"{s.at:.0f}s: {s.sink_lag:,}" for s in points)


@contextmanager
def _removed_after(directory: Path) -> Iterator[None]:
    try:
        yield
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def command_load(args: argparse.Namespace) -> int:
    rates = [int(r) for r in str(args.rates).split(",") if r.strip()]
    if not rates or any(r <= 0 for r in rates):
        raise SystemExit(f"--rates must be positive lines per second, e.g. 200,500,1000; got {args.rates!r}")
    seconds = args.minutes * 60
    staging = Path(tempfile.mkdtemp(prefix="load-files-"))
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    phases: list[Phase] = []
    with fresh_twin() as twin, _removed_after(staging):
        sink = kafka_lag.sink_group(twin.endpoints()["TWIN_CONNECT_URL"])
        for rate in rates:
            print(f"rate {rate} lines/s for {seconds:.0f}s ...", flush=True)
            phase = run_phase(twin, rate, seconds, staging, sink)
            phases.append(phase)
            print(
                "  " + " | ".join(f"{h}: {v}" for h, v in zip(HEADER, phase_row(phase), strict=True)),
                flush=True,
            )
            print(f"  sink lag over time: {lag_series(phase)}", flush=True)
    table = markdown_table(HEADER, [phase_row(p) for p in phases])
    print("\n" + table)
    sustained = [p.rate for p in phases if p.sustained]
    best = max(sustained) if sustained else None
    print(f"\nhighest sustained rate: {best if best is not None else 'none of those offered'} lines/s")
    if args.write_doc:
        write_load_doc(table, phases, args, started, load_before, best)
        print(f"written to {RELIABILITY_DOC.relative_to(REPO_ROOT)} (section Load)")
    return 0


def limit_text(phases: list[Phase]) -> str:
    """Which side fell behind first: the source (backlog in the drop) or the sink (consumer lag)."""
    first = next((p for p in phases if not p.sustained), None)
    if first is None:
        return "Every rate offered was sustained: the limit lies above the highest one."
    if first.backlog_growth >= first.lag_growth:
        side = (
            "the SFTP source: lines reached the topic more slowly than they were uploaded "
            f"(backlog +{first.backlog_growth:.0f} lines/s) while the sink kept up with the topic"
        )
    else:
        side = (
            "the S3 sink: records reached the topic but its consumer group fell behind "
            f"(lag +{first.lag_growth:.0f} records/s)"
        )
    return f"At {first.rate:,} lines/s the limit was {side}."


def write_load_doc(
    table: str,
    phases: list[Phase],
    args: argparse.Namespace,
    started: dt.datetime,
    load_before: float,
    best: int | None,
) -> None:
    series = "\n".join(f"- {p.rate} lines/s: {lag_series(p)}" for p in phases)
    body = f"""
`make load` (`local/chaos/chaos.py load --rates {args.rates} --minutes {args.minutes:g}`) starts a fresh
twin and writes generated lines into the SFTP drop at each rate for {args.minutes:g} minutes: one file
per {FILE_SECONDS} s of lines through one SFTP session (put under a temporary name, rename), as a log
server rolls its files. Every {SAMPLE_SECONDS:g} s it samples the topic's end offsets and the S3 sink
consumer group's committed offsets (Kafka ListOffsets and OffsetFetch, `local/chaos/kafka_lag.py`) and
the lines in the raw zone. "File to raw" is the time from a file's rename until the raw zone holds every
line uploaded up to it. A rate counts as sustained when every line uploaded reached the raw zone within
{SUSTAINED_DRAIN_SECONDS} s of the last upload and the last files took no longer than the first ones (10 s
slack). The growth columns (slope over the second half of the phase of the source backlog, uploaded
but not yet on the topic, and of the sink lag, on the topic but not yet committed, i.e. not yet in S3)
are for reading: the lag is a saw-tooth. The sink commits only what is in S3 and
rotates objects every 10 s in the twin, so a steady lag of about 10-20 s of records is its normal state.

Run {started:%Y-%m-%d %H:%M} UTC on this machine's 2 cores, **shared with other engineers' test runs**
(load average {load_before:.1f} when it started; the "load avg" column is the 1-minute load average
sampled during each phase): the figures are a floor, not the twin's capacity on an idle machine.

{table}

Highest rate sustained: **{f"{best:,} lines/s" if best is not None else "none of the rates offered"}**.
{limit_text(phases)}

Sink lag over time (seconds into the phase: records not yet committed):

{series}
"""
    replace_section(RELIABILITY_DOC, "Load", body)
