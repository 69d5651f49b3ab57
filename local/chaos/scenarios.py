"""The chaos scenarios: generated files go into the SFTP drop over time while one part of the twin is
killed with SIGKILL at a seeded random point and started again; then the pipeline runs to completion
and the end state is checked against the generator's truth.

Ingest scenarios kill a server while files flow SFTP -> source -> Kafka -> sink -> raw zone. Pipeline
scenarios let the data land first and kill a part while `run-pipeline.ts --ticks-only` works on it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from chaos import end_state, live_alerts
from chaos.end_state import Verdict
from chaos.live_alerts import LiveConsumer, LiveVerdict
from chaos.truth import Truth, generate
from chaos.twin_control import ChaosError, Twin, parent_of
from services import twin_client
from services.processes import proc_stat

UPLOAD_RETRY_SECONDS = 180
# A broker that is back within seconds can leave the Connect worker rejoining under a new member id;
# its leader then holds the tasks it calls lost for scheduled.rebalance.max.delay.ms (300 s by default)
# before it assigns them again, and the raw zone completes only after that (316 s after a broker kill
# in one run): the wait covers that delay with room to spare.
RAW_COMPLETE_TIMEOUT_SECONDS = 420
PIPELINE_TIMEOUT_SECONDS = 1200
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Sizes:
    lines: int = 3000
    files: int = 6
    spacing_seconds: float = 3.0


@dataclass
class Outcome:
    scenario: str
    kill_point: str
    lines: int
    verdict: Verdict | None = None
    recovery: str = ""
    pipeline_exit: int | None = None
    notes: list[str] = field(default_factory=list)
    # The live alerts' row: alerts, not lines, lost or doubled.
    live: LiveVerdict | None = None

    @property
    def ok(self) -> bool:
        if self.live is not None:
            return self.live.ok
        return self.verdict is not None and self.verdict.ok and self.pipeline_exit in (0, None)


@dataclass
class Run:
    """What a scenario needs: the twin, the truth so far, its own seeded random source and staging dir."""

    twin: Twin
    truth: Truth
    rng: random.Random
    staging: Path
    sizes: Sizes
    seed: str
    started: float = 0.0
    pipeline_pid: int = 0
    live: LiveConsumer | None = None
    scenarios_generated: int = 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class Uploader(threading.Thread):
    """Uploads the files one by one, `spacing` apart, as a log server's writer would; a failed upload
    (the SFTP server is down) is retried until it succeeds, as any SFTP client would."""

    def __init__(self, twin: Twin, files: list[Path], spacing: float) -> None:
        super().__init__(daemon=True)
        self.twin, self.files, self.spacing = twin, files, spacing
        self.uploaded = 0
        self.retries = 0
        self.error: Exception | None = None

    def run(self) -> None:
        began = time.monotonic()
        try:
            for index, file in enumerate(self.files):
                time.sleep(max(0.0, began + index * self.spacing - time.monotonic()))
                deadline = time.monotonic() + UPLOAD_RETRY_SECONDS
                while True:
                    try:
                        self.twin.upload([file])
                        break
                    except ChaosError:
                        if time.monotonic() > deadline:
                            raise
                        self.retries += 1
                        time.sleep(1.0)
                self.uploaded += 1
        except Exception as error:
            self.error = error


def _files_named(directory: Path, names: set[str]) -> int:
    """Files in `directory` that are one of `names` (the source may append `.<millis>` when moving)."""
    if not directory.is_dir():
        return 0
    return sum(
        1 for p in directory.iterdir() if any(p.name == n or p.name.startswith(n + ".") for n in names)
    )


# ---- kill triggers: when, during the flow, the part dies. Each returns a description of the point.

Trigger = Callable[[Run, Uploader, Truth], str | None]


def at_random_time(low: float, high_from_files: Callable[[Sizes], float]) -> Callable[[Run], Trigger]:
    def make(run: Run) -> Trigger:
        moment = run.rng.uniform(low, high_from_files(run.sizes))

        def trigger(run: Run, uploader: Uploader, truth: Truth) -> str | None:
            if run.elapsed() < moment:
                return None
            present, _ = end_state.raw_progress(run.twin, truth)
            return (
                f"t+{run.elapsed():.1f}s: {uploader.uploaded}/{len(uploader.files)} files uploaded, "
                f"{present}/{truth.total} lines in raw"
            )

        return trigger

    return make


def _after_first_seen(
    run: Run,
    max_delay: float,
    reached: Callable[[Run, Uploader, Truth], bool],
    describe: Callable[[Run, Uploader, Truth, float], str],
) -> Trigger:
    """Fires a seeded random delay (0 to `max_delay` s) after the flow first reached a state, so the kill
    lands at a varied point of that state; `describe` says what the flow looked like then."""
    delay = run.rng.uniform(0.0, max_delay)
    seen: list[float] = []

    def trigger(run: Run, uploader: Uploader, truth: Truth) -> str | None:
        if not seen and reached(run, uploader, truth):
            seen.append(run.elapsed())
        if not seen or run.elapsed() < seen[0] + delay:
            return None
        return describe(run, uploader, truth, delay)

    return trigger


def _files_read(run: Run, uploader: Uploader) -> tuple[int, int]:
    """(this scenario's files the source has moved, its files)."""
    names = {f.name for f in uploader.files}
    return _files_named(run.twin.sftp_layout.processed_dir, names), len(names)


def while_source_reads(run: Run) -> Trigger:
    """Some of this scenario's files are read and moved by the source, others not yet."""

    def some_read(run: Run, uploader: Uploader, truth: Truth) -> bool:
        moved, files = _files_read(run, uploader)
        return 0 < moved < files

    def describe(run: Run, uploader: Uploader, truth: Truth, delay: float) -> str:
        moved, files = _files_read(run, uploader)
        return (
            f"t+{run.elapsed():.1f}s, {delay:.1f}s after the source first moved a file: "
            f"{moved}/{files} files read"
        )

    return _after_first_seen(run, 1.5, some_read, describe)


def while_sink_holds_records(run: Run) -> Trigger:
    """The source has read every file (all moved) while the raw zone still misses lines: the sink holds
    them in memory or is uploading them."""

    def all_read(run: Run, uploader: Uploader, truth: Truth) -> bool:
        moved, files = _files_read(run, uploader)
        return moved == files

    def describe(run: Run, uploader: Uploader, truth: Truth, delay: float) -> str:
        present, _ = end_state.raw_progress(run.twin, truth)
        return f"t+{run.elapsed():.1f}s, every file read, {present}/{truth.total} lines in raw (sink pending)"

    return _after_first_seen(run, 1.0, all_read, describe)


def while_sink_uploads(run: Run) -> Trigger:
    """The sink has written part of this scenario's lines to S3 and holds the rest: it is between
    uploads of the same flow, so the next one meets a dead server."""

    def part_in_raw(run: Run, uploader: Uploader, truth: Truth) -> bool:
        present, _ = end_state.raw_progress(run.twin, truth)
        return 0 < present < truth.total

    def describe(run: Run, uploader: Uploader, truth: Truth, delay: float) -> str:
        present, _ = end_state.raw_progress(run.twin, truth)
        return (
            f"t+{run.elapsed():.1f}s, {delay:.1f}s after the first object of the flow: "
            f"{uploader.uploaded}/{len(uploader.files)} files uploaded, {present}/{truth.total} lines in raw"
        )

    return _after_first_seen(run, 3.0, part_in_raw, describe)


def while_live_holds_records(run: Run) -> Trigger:
    """A seeded random moment of the flow, then the first moment the live consumer's group has records
    on the topic it has not committed: the consumer has fetched them (it fetches as soon as they are
    there) and is running them through the logic, or has and is about to commit."""
    moment = run.rng.uniform(0.5, _upload_span(run.sizes) + 4)

    def trigger(run: Run, uploader: Uploader, truth: Truth) -> str | None:
        if run.elapsed() < moment or run.live is None:
            return None
        ends, committed = run.live.lag()
        behind = sum(end - committed.get(p, 0) for p, end in ends.items())
        if behind == 0:
            return None
        done = run.live.processed_uncommitted(committed)
        return (
            f"t+{run.elapsed():.1f}s: {uploader.uploaded}/{len(uploader.files)} files uploaded, "
            f"{behind} record(s) on the topic past the group's committed offset "
            f"{sum(committed.values())}, {done} of them through the logic"
        )

    return trigger


@dataclass(frozen=True)
class Scenario:
    name: str
    service: str
    what: str
    trigger: Callable[[Run], Trigger] | None = None  # ingest scenarios
    pipeline_kill: Callable[[Run, Outcome], None] | None = None  # pipeline scenarios


def _upload_span(sizes: Sizes) -> float:
    return sizes.spacing_seconds * max(sizes.files - 1, 1)


def _ingest(run: Run, scenario: Scenario, outcome: Outcome, truth: Truth) -> None:
    """Uploads this scenario's files over time, kills the service at its trigger, restarts it, waits
    until the raw zone holds every generated line (at least once) or the wait runs out."""
    files = sorted((run.staging / scenario.name).glob("*.jsonl"))
    uploader = Uploader(run.twin, files, run.sizes.spacing_seconds)
    run.started = time.monotonic()
    uploader.start()
    assert scenario.trigger is not None
    trigger = scenario.trigger(run)
    point = None
    while point is None:
        point = trigger(run, uploader, truth)
        if point is None:
            if not uploader.is_alive() and run.elapsed() > _upload_span(run.sizes) + 120:
                raise ChaosError(f"{scenario.name}: the kill point never came; the flow finished without it")
            time.sleep(POLL_SECONDS)
    if scenario.service == live_alerts.SERVICE:
        if run.live is None:
            raise ChaosError("the live-alerts consumer is not running on this twin: nothing to kill")
        killed = time.monotonic()
        # Started again in the same group once it is gone, as the mapping invokes the function again.
        pid = run.live.kill_and_restart()
    else:
        pid = run.twin.kill(scenario.service)
        killed = time.monotonic()
    outcome.kill_point = f"{point} (pid {pid})"
    print(f"  SIGKILL {scenario.service} pid {pid} at {point}", flush=True)
    if scenario.service != live_alerts.SERVICE:
        run.twin.restart(scenario.service)
    back = time.monotonic() - killed
    uploader.join(UPLOAD_RETRY_SECONDS + 60)
    if uploader.error is not None:
        raise ChaosError(f"upload failed for good: {uploader.error}")
    if uploader.retries:
        outcome.notes.append(
            f"{uploader.retries} upload attempt(s) refused while the server was down, retried"
        )
    deadline = time.monotonic() + RAW_COMPLETE_TIMEOUT_SECONDS
    present = 0
    while time.monotonic() < deadline:
        present, _ = end_state.raw_progress(run.twin, run.truth)
        if present == run.truth.total:
            break
        time.sleep(1.0)
    complete = time.monotonic() - killed
    if present < run.truth.total:
        outcome.notes.append(
            f"raw zone still missed {run.truth.total - present} line(s) after {complete:.0f}s"
        )
    outcome.recovery = f"{scenario.service} ready in {back:.1f}s; raw complete {complete:.1f}s after the kill"
    if scenario.service == live_alerts.SERVICE and run.live is not None and run.live.killed_with:
        committed, done = run.live.killed_with
        outcome.notes.append(
            f"killed with {done} record(s) through the logic past the committed offset {committed}; "
            f"the restarted consumer resumed at offset {run.live.wait_resumed()}; its alerts are "
            "checked in the live alerts' row"
        )


def _pipeline(run: Run, outcome: Outcome, kill: Callable[[Run, Outcome], None] | None = None) -> None:
    """`run-pipeline.ts --ticks-only` to completion; `kill` runs beside it (pipeline scenarios)."""
    result_file = run.twin.home / f"chaos-pipeline-{outcome.scenario}.json"
    result_file.unlink(missing_ok=True)
    began = time.monotonic()
    pipeline = run.twin.pipeline(result_file, "--ticks-only")
    run.started = began
    run.pipeline_pid = pipeline.pid
    try:
        if kill is not None:
            kill(run, outcome)
        outcome.pipeline_exit = pipeline.wait(PIPELINE_TIMEOUT_SECONDS)
    finally:
        if pipeline.poll() is None:
            os.killpg(pipeline.pid, signal.SIGKILL)
            pipeline.wait()
            outcome.notes.append(f"pipeline did not finish within {PIPELINE_TIMEOUT_SECONDS}s")
    if result_file.exists():
        result = json.loads(result_file.read_text())
        failed = result.get("failed", [])
        if failed:
            outcome.notes.append(f"{len(failed)} failed attempt(s) retried by start-run")
        if result.get("outOfAttempts"):
            outcome.notes.append(f"hours out of attempts: {', '.join(result['outOfAttempts'])}")
        bad = [line["label"] for line in result.get("reconciliation", []) if not line.get("ok")]
        if bad:
            outcome.notes.append(f"pipeline reconciliation failed: {'; '.join(bad)}")
    if kill is not None and not outcome.recovery:
        outcome.recovery = f"pipeline finished {time.monotonic() - began:.1f}s after it started"


def _ingest_cleanly(run: Run, scenario: Scenario, truth: Truth) -> None:
    files = sorted((run.staging / scenario.name).glob("*.jsonl"))
    run.twin.upload(files)
    deadline = time.monotonic() + RAW_COMPLETE_TIMEOUT_SECONDS
    while end_state.raw_progress(run.twin, run.truth)[0] < run.truth.total:
        if time.monotonic() > deadline:
            raise ChaosError(f"{scenario.name}: the raw zone did not fill before the kill (no kill made yet)")
        time.sleep(1.0)


# ---- pipeline scenarios


WAREHOUSE_TABLE = "banking.transactions"
# A stand-in value per type for the NOT NULL columns of the row that holds the MERGE (never committed).
PLACEHOLDERS: dict[str, object] = {
    "character varying": "",
    "text": "",
    "timestamp with time zone": dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    "date": dt.date(1970, 1, 1),
    "numeric": 0,
    "smallint": 0,
    "integer": 0,
    "bigint": 0,
    "double precision": 0.0,
    "boolean": False,
}


def placeholder_insert(
    columns: Sequence[tuple[str, str, bool]], key: str, key_value: str
) -> tuple[str, list[object]]:
    """INSERT of a row with `key` = `key_value` into the warehouse table, a stand-in value in every other
    NOT NULL column; `columns` are (name, data type, nullable) as information_schema lists them."""
    names: list[str] = []
    values: list[object] = []
    for name, data_type, nullable in columns:
        if name == key:
            names.append(name)
            values.append(key_value)
        elif not nullable:
            if data_type not in PLACEHOLDERS:
                raise ChaosError(f"{WAREHOUSE_TABLE}.{name} is {data_type}, which has no placeholder value")
            names.append(name)
            values.append(PLACEHOLDERS[data_type])
    if key not in names:
        raise ChaosError(f"{WAREHOUSE_TABLE} has no column {key}")
    marks = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {WAREHOUSE_TABLE} ({', '.join(names)}) VALUES ({marks})", values


def unloaded_id(rng: random.Random, generated: Iterable[str], in_warehouse: Iterable[str]) -> str:
    """A seeded choice among the generated good transaction ids the warehouse does not hold yet: the
    next load that stages it will insert it."""
    candidates = sorted(set(generated) - set(in_warehouse))
    if not candidates:
        raise ChaosError("every generated transaction is in the warehouse already: no load will insert one")
    return rng.choice(candidates)


BLOCKED_MERGE_SQL = (
    "SELECT pid, wait_event, now() - query_start, now() - xact_start FROM pg_stat_activity "
    f"WHERE query ILIKE 'MERGE INTO {WAREHOUSE_TABLE}%%' AND wait_event_type = 'Lock' "
    "AND %s = ANY(pg_blocking_pids(pid))"
)


def _hold_row(run: Run, monitor: psycopg.Connection) -> tuple[psycopg.Connection, str]:
    """Once the first load created the warehouse table, inserts (uncommitted) a row with the key of a
    transaction no load has inserted yet. The load that stages that transaction runs its DELETE as
    usual (the row is invisible to it), then its MERGE waits at that key's insert for this transaction
    to end: the one statement of the load that waits is the MERGE, with the work before it done."""
    deadline = time.monotonic() + PIPELINE_TIMEOUT_SECONDS
    while monitor.execute(f"SELECT to_regclass('{WAREHOUSE_TABLE}')").fetchone() == (None,):
        if time.monotonic() > deadline:
            raise ChaosError(f"{WAREHOUSE_TABLE} was never created while the pipeline ran")
        time.sleep(POLL_SECONDS)
    schema, table = WAREHOUSE_TABLE.split(".")
    columns = monitor.execute(
        "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, table),
    ).fetchall()
    holder = twin_client.warehouse_connection(run.twin.pipeline_env())
    while True:
        loaded = [row[0] for row in monitor.execute(f"SELECT transaction_id FROM {WAREHOUSE_TABLE}")]
        key = unloaded_id(run.rng, run.truth.good_ids, loaded)
        try:
            holder.execute(*placeholder_insert(columns, "transaction_id", key))
            return holder, key
        except psycopg.errors.UniqueViolation:
            holder.rollback()  # a load inserted it meanwhile: choose again


def kill_postgres_during_merge(run: Run, outcome: Outcome) -> None:
    """Kills PostgreSQL (the postmaster and every backend) while a load's MERGE into the warehouse
    table waits on the row `_hold_row` holds, inside the load's transaction. The MERGE alone takes
    milliseconds: polled for, it was never seen running."""
    monitor = twin_client.warehouse_connection(run.twin.pipeline_env(), autocommit=True)
    holder, key = _hold_row(run, monitor)
    holder_pid = holder.info.backend_pid
    deadline = time.monotonic() + PIPELINE_TIMEOUT_SECONDS
    blocked = None
    while blocked is None:
        blocked = monitor.execute(BLOCKED_MERGE_SQL, (holder_pid,)).fetchone()
        if blocked is None:
            if time.monotonic() > deadline or not _alive(run.pipeline_pid):
                raise ChaosError(f"no load's MERGE waited on the held row {key} while the pipeline ran")
            time.sleep(POLL_SECONDS)
    merge_pid, wait_event, merging, in_transaction = blocked
    killed_pids = run.twin.kill_with_children("postgres", first=[merge_pid])
    killed = time.monotonic()
    outcome.kill_point = (
        f"t+{run.elapsed():.1f}s, the load's MERGE waiting ({wait_event} lock) at the insert of {key}, "
        f"{merging.total_seconds():.1f}s into the MERGE, {in_transaction.total_seconds():.1f}s into "
        f"its transaction (MERGE backend pid {merge_pid}, then the postmaster, pid {killed_pids[1]}, "
        f"and its {len(killed_pids) - 2} other processes)"
    )
    print(f"  SIGKILL postgres at {outcome.kill_point}: pids {killed_pids}", flush=True)
    for connection in (monitor, holder):
        with contextlib.suppress(psycopg.Error):
            connection.close()
    run.twin.restart("postgres")
    outcome.recovery = f"postgres ready in {time.monotonic() - killed:.1f}s"


def _alive(pid: int) -> bool:
    """The process exists and has not exited (a child not yet waited for is a zombie)."""
    fields = proc_stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def _descends_from(pid: int, ancestor: int) -> bool:
    current: int | None = pid
    while current is not None and current > 1:
        if current == ancestor:
            return True
        current = parent_of(current)
    return False


def _atm_job_driver(pipeline_pid: int) -> tuple[int, str] | None:
    """The Spark driver JVM running spark-jobs/atm_job.py under this pipeline run (never another
    run's on the same machine), with the run id from its arguments."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            text = [a.decode(errors="replace") for a in (proc / "cmdline").read_bytes().split(b"\0")]
        except OSError:
            continue
        is_driver = bool(text) and text[0].endswith("java") and "org.apache.spark.deploy.SparkSubmit" in text
        if (
            is_driver
            and any(a.endswith("atm_job.py") for a in text)
            and _descends_from(int(proc.name), pipeline_pid)
        ):
            run_id = text[text.index("--run-id") + 1] if "--run-id" in text else "?"
            return int(proc.name), run_id
    return None


def kill_spark_driver(run: Run, outcome: Outcome) -> None:
    """Kills the ATM job's Spark driver a seeded 1-15 s after it started (the next run's if the first
    one ends sooner)."""
    delay = run.rng.uniform(1.0, 15.0)
    deadline = time.monotonic() + PIPELINE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        driver = _atm_job_driver(run.pipeline_pid)
        if driver is None:
            time.sleep(POLL_SECONDS)
            continue
        pid, run_id = driver
        seen = time.monotonic()
        while time.monotonic() < seen + delay and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        if not Path(f"/proc/{pid}").exists():
            delay /= 2  # this run was quicker: catch the next one sooner
            continue
        os.kill(pid, signal.SIGKILL)
        outcome.kill_point = f"t+{run.elapsed():.1f}s, {delay:.1f}s into the ATM job of {run_id} (pid {pid})"
        print(f"  SIGKILL Spark driver at {outcome.kill_point}", flush=True)
        return
    raise ChaosError("no ATM job driver was seen while the pipeline ran")


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "sftp", "sftp", "SFTP server during uploads and reads", trigger=at_random_time(0.5, _upload_span)
        ),
        Scenario(
            "kafka",
            "kafka",
            "Kafka broker while lines flow",
            trigger=at_random_time(1.0, lambda s: _upload_span(s) + 4),
        ),
        Scenario(
            "connect-source", "connect", "Connect worker during source reads", trigger=while_source_reads
        ),
        Scenario(
            "connect-sink", "connect", "Connect worker during sink uploads", trigger=while_sink_holds_records
        ),
        Scenario(
            "s3",
            "s3",
            "S3 server while the sink uploads",
            trigger=while_sink_uploads,
        ),
        Scenario(
            "live-alerts",
            live_alerts.SERVICE,
            "the live fraud-alerts consumer with records in hand",
            trigger=while_live_holds_records,
        ),
        Scenario(
            "postgres-merge",
            "postgres",
            "PostgreSQL during the warehouse MERGE",
            pipeline_kill=kill_postgres_during_merge,
        ),
        Scenario("spark-driver", "spark", "the ATM job's Spark driver", pipeline_kill=kill_spark_driver),
    )
}
SHORT_SET = ("connect-source", "kafka")


def run_scenario(run: Run, scenario: Scenario, pipeline_after: bool = True) -> Outcome:
    files_dir = run.staging / scenario.name
    start = event_period_start(run.scenarios_generated)
    run.scenarios_generated += 1
    _, truth = generate(
        files_dir,
        f"chaos-{run.seed}-{scenario.name}",
        run.sizes.lines,
        run.sizes.files,
        start=start,
        days=PERIOD_DAYS,
    )
    run.truth.add(truth)
    outcome = Outcome(scenario.name, "", truth.total)
    print(
        f"\n== {scenario.name}: kill {scenario.what} ({truth.total} lines in {run.sizes.files} files)",
        flush=True,
    )
    if scenario.trigger is not None:
        _ingest(run, scenario, outcome, truth)
        if pipeline_after:
            _pipeline(run, outcome)
    else:
        _ingest_cleanly(run, scenario, truth)
        _pipeline(run, outcome, scenario.pipeline_kill)
    if pipeline_after or scenario.trigger is None:
        outcome.verdict = end_state.check(run.twin, run.truth, run.twin.pipeline_env())
    else:
        outcome.verdict = end_state.check_raw(run.twin, truth, run.truth)
    return outcome


# Each scenario's lines are of their own event period, later than the scenario's before, as on a real
# topic where event time moves forward: the live rules see a card's records in topic order and judge
# one older than their out-of-order tolerance as late, where the batch sorts every line by event time.
# Periods that overlapped would make the live alerts differ from the batch's for no fault of a kill.
FIRST_PERIOD = dt.date(2024, 1, 1)
PERIOD_DAYS = 30
PERIOD_GAP_DAYS = 5


def event_period_start(index: int) -> str:
    """The first day of the `index`-th scenario's event period (PERIOD_DAYS long)."""
    return (FIRST_PERIOD + dt.timedelta(days=index * (PERIOD_DAYS + PERIOD_GAP_DAYS))).isoformat()


def settle(run: Run, label: str) -> Outcome:
    """The pipeline to completion and the full end-state check of every line so far."""
    outcome = Outcome(label, "-", run.truth.total)
    print(f"\n== {label}: pipeline to completion, then the end state ({run.truth.total} lines)", flush=True)
    began = time.monotonic()
    _pipeline(run, outcome)
    outcome.recovery = f"pipeline {time.monotonic() - began:.0f}s"
    outcome.verdict = end_state.check(run.twin, run.truth, run.twin.pipeline_env())
    return outcome


def parse_names(text: str) -> list[str]:
    names = [n for n in re.split(r"[,\s]+", text) if n]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {', '.join(unknown)}: choose from {', '.join(SCENARIOS)}")
    return names
