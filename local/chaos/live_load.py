"""The live fraud-alerts benchmark (`make bench-live`): the twin's live-alerts consumer
(local/pipeline/live-alerts.ts, the Lambda's logic and AWS adapters) on a twin of just the services it
needs (Kafka, moto for DynamoDB and SNS, s3proxy for the archive), fed by the generator straight into
the transactions topic at a steady rate:

1. the latency phase: one rate (500 lines/s) for several minutes; every alert's latency from its line's
   Kafka timestamp (the producer's, i.e. its arrival on the topic) to the alert being stored, and the
   consumer group's lag every couple of seconds;
2. the ramp: rising rates, a couple of minutes each, until one is not sustained (lag growing during
   the phase, or not drained soon after it) or the generator cannot offer it; it stops by itself.

Each phase also records the 1-minute load average (the machine is shared), the CPU seconds of the
consumer, moto, Kafka, s3proxy and the generator, and the AWS requests the consumer sent per line, so
the figures say what limits the rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chaos import kafka_lag
from chaos.report import markdown_table, replace_section
from chaos.series import slope
from chaos.twin_control import REPO_ROOT, ChaosError, Twin
from services import twin_client
from services.connectors import DEFAULT_PARTITIONS, create_topic
from services.processes import proc_stat
from services.settings import TSX

sys.path.insert(0, str(REPO_ROOT / "spark-jobs"))
from bankpipe.layout import pipeline_layout

BENCHMARKS_DOC = REPO_ROOT / "docs" / "benchmarks.md"
DOC_SECTION = "Live fraud alerts"
GENERATOR = REPO_ROOT / "tools" / "generator" / "cli.ts"
LIVE_ALERTS = REPO_ROOT / "local" / "pipeline" / "live-alerts.ts"
SERVICES = ("kafka", "moto", "s3")
GROUP = "bench-live-alerts"
SAMPLE_SECONDS = 2.0
# How often the consumer rewrites its stats file (the alerts with their latency, the requests sent).
STATS_SECONDS = 2
DRAIN_SECONDS = 120
# Sustained: drained this soon after the last line, and the lag did not grow over the phase's second half.
SUSTAINED_DRAIN_SECONDS = 30
SUSTAINED_LAG_GROWTH_SHARE = 0.02
# A phase whose lines reached the topic slower than this share of the rate measured the generator.
OFFERED_SHARE = 0.9
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    at: float
    on_topic: int
    lag: int
    load: float


@dataclass
class Phase:
    name: str
    rate: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    latencies_ms: list[int] = field(default_factory=list)
    drained_after: float | None = None
    lines: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def during(self) -> list[Sample]:
        return [s for s in self.samples if s.at <= self.seconds]

    @property
    def topic_rate(self) -> float:
        during = self.during()
        if len(during) < 2:
            return 0.0
        return (during[-1].on_topic - during[0].on_topic) / max(during[-1].at - during[0].at, 1e-9)

    @property
    def lag_growth(self) -> float:
        """Records/s by which the lag grew over the second half of the phase (least squares)."""
        during = self.during()
        return slope([(s.at, s.lag) for s in during[len(during) // 2 :]])

    @property
    def offered(self) -> bool:
        return self.topic_rate >= OFFERED_SHARE * self.rate

    @property
    def sustained(self) -> bool:
        return (
            self.offered
            and self.drained_after is not None
            and self.drained_after <= SUSTAINED_DRAIN_SECONDS
            and self.lag_growth <= SUSTAINED_LAG_GROWTH_SHARE * self.rate
        )

    def percentile(self, share: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] / 1000

    @property
    def elapsed(self) -> float:
        """Seconds from the first line to the end of the drain (what the CPU seconds cover)."""
        return self.samples[-1].at if self.samples else 0.0

    def cpu_share(self, process: str) -> float:
        """Share of one core the process used over the phase."""
        return self.cpu_seconds.get(process, 0.0) / self.elapsed if self.elapsed else 0.0

    @property
    def mean_load(self) -> float:
        return statistics.fmean(s.load for s in self.samples) if self.samples else 0.0

    @property
    def requests_per_line(self) -> float:
        return sum(self.requests.values()) / self.lines if self.lines else 0.0


# --- CPU of a process and its descendants, from /proc -------------------------------------------


def _cpu_ticks_by_pid() -> tuple[dict[int, int], dict[int, list[int]]]:
    ticks: dict[int, int] = {}
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = proc_stat(int(entry.name))
        if fields is None:
            continue
        pid, parent = int(entry.name), int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
        children.setdefault(parent, []).append(pid)
    return ticks, children


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) so far of each named process with its descendants still alive."""
    ticks, children = _cpu_ticks_by_pid()
    result = {}
    for name, root in roots.items():
        total, stack = 0, [root]
        while stack:
            pid = stack.pop()
            total += ticks.get(pid, 0)
            stack.extend(children.get(pid, []))
        result[name] = total / CLK_TCK
    return result


# --- The run -----------------------------------------------------------------------------------------


@contextmanager
def live_twin() -> Iterator[Twin]:
    """Kafka, moto and s3proxy only, in a new state directory on free ports; stopped and removed after."""
    twin = Twin(*twin_client.fresh_home("twin-live-bench-"))
    try:
        twin.cli("start", *SERVICES, timeout=300)
        yield twin
    finally:
        twin.cli("stop", timeout=300, check=False)
        shutil.rmtree(twin.home, ignore_errors=True)


class Consumer:
    """live-alerts.ts in its own group, started at the topic's end, its stats rewritten every few seconds."""

    def __init__(self, twin: Twin, topic: str, batch_size: int | None) -> None:
        self.stats_file = twin.home / "bench-live-stats.json"
        self.log = (twin.home / "logs" / "bench-live-alerts.log").open("a")
        command = [str(TSX), str(LIVE_ALERTS), "--group", GROUP, "--topic", topic]
        command += ["--stats", str(self.stats_file), "--stats-every", str(STATS_SECONDS)]
        if batch_size is not None:
            command += ["--batch-size", str(batch_size)]
        self.process = subprocess.Popen(
            command,
            env=twin.pipeline_env(),
            cwd=REPO_ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # The first stats are written once the consumer has joined its group (at the topic's end).
        deadline = time.monotonic() + 120
        while not self.stats_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise ChaosError(f"the live-alerts consumer did not start; see {self.log.name}")
            time.sleep(0.5)

    def stats(self) -> dict[str, object]:
        return json.loads(self.stats_file.read_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def _committed_everything(stats: dict[str, object], ends: dict[int, int], topic: str) -> bool:
    committed = stats["committed"]
    assert isinstance(committed, dict)
    return all(end == 0 or committed.get(f"{topic}-{p}", 0) >= end for p, end in ends.items())


def run_phase(
    twin: Twin,
    consumer: Consumer,
    topic: str,
    name: str,
    rate: int,
    seconds: float,
    day: dt.date,
    fraud: float,
) -> Phase:
    phase = Phase(name, rate, seconds)
    port = int(twin.env["TWIN_KAFKA_PORT"])
    before = consumer.stats()
    alerts_before = len(before["alerts"])  # type: ignore[arg-type]
    requests_before: dict[str, int] = dict(before["awsRequests"])  # type: ignore[call-overload]
    roots = {
        "consumer": consumer.process.pid,
        **{service: twin.record(service).pid for service in SERVICES},
    }
    cpu_before = cpu_seconds(roots)
    topic_before = sum(kafka_lag.end_offsets(port, topic).values())
    count = int(rate * seconds)
    env = twin.pipeline_env()
    generator = subprocess.Popen(
        [
            str(TSX),
            str(GENERATOR),
            *("--seed", f"live-bench-{name}", "--count", str(count), "--rate", str(rate)),
            *("--start", day.isoformat(), "--days", "1", "--fraud-ratio", str(fraud)),
            *("--kafka-brokers", env["TWIN_KAFKA_BOOTSTRAP"], "--topic", topic),
        ],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    roots["generator"] = generator.pid
    generator_cpu = 0.0
    began = time.monotonic()
    produced_at: float | None = None
    next_sample = 0.0
    while True:
        now = time.monotonic() - began
        if produced_at is None and generator.poll() is not None:
            produced_at = now
        if now >= next_sample:
            ends = kafka_lag.end_offsets(port, topic)
            committed = kafka_lag.committed_offsets(port, GROUP, topic, sorted(ends))
            lag = sum(end - committed.get(p, 0) for p, end in ends.items())
            phase.samples.append(Sample(now, sum(ends.values()) - topic_before, lag, os.getloadavg()[0]))
            if generator.poll() is None:
                generator_cpu = cpu_seconds({"generator": generator.pid})["generator"]
            next_sample = now + SAMPLE_SECONDS
            if produced_at is not None:
                if lag == 0 and _committed_everything(consumer.stats(), ends, topic):
                    phase.drained_after = max(0.0, now - produced_at)
                    break
                if now > produced_at + DRAIN_SECONDS:
                    break
        time.sleep(0.2)
    if generator.returncode != 0:
        raise ChaosError(
            f"the generator failed at {rate} lines/s: {generator.stderr.read() if generator.stderr else ''}"
        )
    # The phase ran as long as the generator took (it may not keep up with the rate asked for).
    phase.seconds = produced_at if produced_at is not None else seconds
    cpu_after = cpu_seconds({k: v for k, v in roots.items() if k != "generator"})
    phase.cpu_seconds = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
    phase.cpu_seconds["generator"] = generator_cpu
    after = consumer.stats()
    alerts = after["alerts"][alerts_before:]  # type: ignore[index]
    phase.latencies_ms = [int(alert["sinceKafkaMs"]) for alert in alerts]
    phase.lines = phase.samples[-1].on_topic if phase.samples else 0
    requests_after: dict[str, int] = after["awsRequests"]  # type: ignore[assignment]
    phase.requests = {k: v - requests_before.get(k, 0) for k, v in requests_after.items()}
    return phase


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


HEADER = (
    "phase",
    "offered lines/s",
    "to topic lines/s",
    "alerts",
    "latency p50 / p99 / max s",
    "max lag",
    "lag growth /s",
    "drained after",
    "AWS requests / line",
    "CPU s: consumer / moto / kafka / s3proxy / generator",
    "load avg",
    "sustained",
)


def phase_row(phase: Phase) -> list[object]:
    lags = [s.lag for s in phase.during()]
    cpu = phase.cpu_seconds
    return [
        phase.name,
        phase.rate,
        f"{phase.topic_rate:.0f}",
        len(phase.latencies_ms),
        " / ".join(_seconds(phase.percentile(share)) for share in (0.5, 0.99, 1.0)),
        f"{max(lags) if lags else 0:,}",
        f"{phase.lag_growth:+.0f}",
        f"{phase.drained_after:.0f} s" if phase.drained_after is not None else f"not in {DRAIN_SECONDS} s",
        f"{phase.requests_per_line:.3f}",
        " / ".join(f"{cpu.get(k, 0):.0f}" for k in ("consumer", "moto", "kafka", "s3", "generator")),
        f"{phase.mean_load:.1f}",
        "yes" if phase.sustained else ("no (not offered)" if not phase.offered else "no"),
    ]


def lag_series(phase: Phase) -> str:
    points = phase.samples[:: max(1, len(phase.samples) // 15)]
    return ", ".join(f"{s.at:.0f}s: {s.lag:,}" for s in points)


def requests_text(phase: Phase) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(phase.requests.items(), key=lambda kv: -kv[1]))


PROCESSES = {
    "consumer": "the consumer (one Node process)",
    "moto": "moto",
    "kafka": "Kafka",
    "s3": "s3proxy",
    "generator": "the generator",
}
# Processes that do their work on one thread: at this share of a core such a process is the bottleneck.
ONE_THREAD_BOUND = 0.85
ONE_THREAD = {
    "consumer": "Node runs its JavaScript (parsing, the rules, the AWS SDK's request handling) on one thread",
    "moto": "moto's server is one Python process, its request handling under one interpreter lock",
}
CORES = os.cpu_count() or 1


def limit_text(phases: list[Phase]) -> str:
    """What held the rate: the first phase not sustained (or the last one), its CPU by process."""
    first = next((p for p in phases if p.name != "latency" and not p.sustained), None)
    phase = first if first is not None else phases[-1]
    shares = ", ".join(f"{label} {phase.cpu_share(k):.0%}" for k, label in PROCESSES.items())
    busiest = max(PROCESSES, key=phase.cpu_share)
    bound = [k for k in ONE_THREAD if phase.cpu_share(k) >= ONE_THREAD_BOUND]
    if not phase.offered:
        cause = "the generator could not offer the rate on this machine"
    elif bound:
        cause = "; ".join(
            f"{PROCESSES[k]} at {phase.cpu_share(k):.0%} of one core ({ONE_THREAD[k]})" for k in bound
        )
    elif phase.mean_load >= CORES:
        cause = (
            f"the machine: the load average ({phase.mean_load:.1f}) was at or above its {CORES} cores, "
            f"the busiest process being {PROCESSES[busiest]}"
        )
    else:
        cause = f"the busiest process was {PROCESSES[busiest]}"
    verdict = f"At {phase.rate:,} lines/s ({'not sustained' if first is not None else 'the highest offered'})"
    return (
        f"{verdict}, CPU over the phase as a share of one core: {shares}; "
        f"load average {phase.mean_load:.1f}. Limit: {cause}."
    )


def command_live_load(args: argparse.Namespace) -> int:
    ramp = [int(r) for r in str(args.ramp).split(",") if r.strip()]
    if args.rate <= 0 or any(r <= 0 for r in ramp):
        raise SystemExit(
            f"--rate and --ramp must be positive lines per second; got {args.rate}, {args.ramp!r}"
        )
    topic = pipeline_layout().transactions_topic
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    # Each phase's lines are of their own past day, later than the phase before (event time moves
    # forward, as on the topic), and never in the future (the parser refuses lines from the future).
    first_day = started.date() - dt.timedelta(days=len(ramp) + 2)
    phases: list[Phase] = []
    with live_twin() as twin:
        port = int(twin.env["TWIN_KAFKA_PORT"])
        create_topic(twin.paths, f"127.0.0.1:{port}", topic, args.partitions)
        consumer = Consumer(twin, topic, args.batch_size)
        try:
            plan = [("latency", args.rate, args.minutes * 60)]
            plan += [(f"ramp {rate}", rate, args.ramp_minutes * 60) for rate in ramp]
            for index, (name, rate, seconds) in enumerate(plan):
                print(f"{name}: {rate} lines/s for {seconds:.0f}s ...", flush=True)
                phase = run_phase(
                    twin,
                    consumer,
                    topic,
                    name,
                    rate,
                    seconds,
                    first_day + dt.timedelta(days=index),
                    args.fraud_ratio,
                )
                phases.append(phase)
                print("  " + " | ".join(f"{h}: {v}" for h, v in zip(HEADER, phase_row(phase), strict=True)))
                print(f"  lag over time: {lag_series(phase)}")
                print(f"  AWS requests: {requests_text(phase)}", flush=True)
                if name != "latency" and not phase.sustained:
                    break
        finally:
            consumer.stop()
    table = markdown_table(HEADER, [phase_row(p) for p in phases])
    print("\n" + table)
    ramp_phases = [p for p in phases if p.name != "latency"]
    sustained = [p.rate for p in phases if p.sustained]
    best = max(sustained) if sustained else None
    print(f"\nhighest sustained rate: {best if best is not None else 'none of those offered'} lines/s")
    print(limit_text(phases))
    if args.write_doc:
        write_doc(table, phases, ramp_phases, args, started, load_before, best)
        print(f"written to {BENCHMARKS_DOC.relative_to(REPO_ROOT)} (section {DOC_SECTION})")
    return 0


def write_doc(
    table: str,
    phases: list[Phase],
    ramp_phases: list[Phase],
    args: argparse.Namespace,
    started: dt.datetime,
    load_before: float,
    best: int | None,
) -> None:
    latency = phases[0]
    series = "\n".join(f"- {p.name} ({p.rate} lines/s): {lag_series(p)}" for p in phases)
    requests = "\n".join(f"- {p.name}: {requests_text(p)}" for p in phases)
    p99 = latency.percentile(0.99)
    verdict = (
        f"**met**: p99 {p99:.1f} s at {latency.rate} lines/s"
        if p99 is not None and p99 <= 5 and latency.sustained
        else f"**not met** on this machine: p99 {_seconds(p99)} s at {latency.rate} lines/s"
    )
    command = (
        f"Command: `make bench-live LIVE_ARGS='--rate {args.rate} --minutes {args.minutes:g} "
        f"--ramp {args.ramp} --ramp-minutes {args.ramp_minutes:g}'` "
        f"(`local/chaos/chaos.py live-load` with those options)."
    )
    batches = f"batches of {args.batch_size}" if args.batch_size else "the stage's batch size"
    body = f"""
{command}

It starts a twin of only Kafka, moto (DynamoDB and SNS) and s3proxy, creates the transactions topic
({args.partitions} partitions), starts the live-alerts consumer (`local/pipeline/live-alerts.ts`, the
Lambda's logic and AWS adapters, {batches}) in a new group at the topic's end, and has the generator
produce straight into the topic at a steady rate (`--rate`, fraud ratio {args.fraud_ratio:g}, each phase
a past day of its own). Latency is from the Kafka timestamp of the newest line of the alert's card in
the batch (the producer's clock: the line's arrival on the topic) to the alert being stored and
published. Every {SAMPLE_SECONDS:g} s it samples the group's lag (topic end offsets minus committed
offsets, `local/chaos/kafka_lag.py`) and the 1-minute load average; the CPU seconds are those of each
process tree during the phase (from /proc); the AWS requests are those the consumer sent, counted by
operation. A rate is sustained when at least {OFFERED_SHARE:.0%} of it reached the topic, the lag grew
by at most {SUSTAINED_LAG_GROWTH_SHARE:.0%} of the rate per second over the phase's second half and
drained within {SUSTAINED_DRAIN_SECONDS} s of the last line. The ramp stops at the first rate not
sustained.

Run {started:%Y-%m-%d %H:%M} UTC on this machine's 2 cores, **shared with other engineers' runs** (load
average {load_before:.1f} when it started; "load avg" is the mean during each phase).

{table}

Goal p99 <= 5 s at 500 lines/s: {verdict}. Highest rate sustained:
**{f"{best:,} lines/s" if best is not None else "none of the rates offered"}**. {limit_text(phases)}

Lag over time (seconds into the phase: records not yet committed):

{series}

AWS requests the consumer sent:

{requests}
"""
    replace_section(BENCHMARKS_DOC, DOC_SECTION, body)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    live = commands.add_parser("live-load", help="the live fraud-alerts benchmark")
    live.add_argument("--rate", type=int, default=500, help="lines per second of the latency phase")
    live.add_argument("--minutes", type=float, default=5, help="minutes of the latency phase")
    live.add_argument("--ramp", default="600,700,800,900,1000,1500,2000", help="rising rates, comma list")
    live.add_argument("--ramp-minutes", type=float, default=2, help="minutes per ramp rate")
    live.add_argument(
        "--fraud-ratio", type=float, default=0.01, help="the generator's share of injected fraud"
    )
    live.add_argument("--partitions", type=int, default=DEFAULT_PARTITIONS, help="partitions of the topic")
    live.add_argument("--batch-size", type=int, default=None, help="records per call (default: the stage's)")
    live.add_argument(
        "--no-doc", dest="write_doc", action="store_false", help="do not write docs/benchmarks.md"
    )
