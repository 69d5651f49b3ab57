"""The live fraud-alerts consumer on the chaos twin, and the check that its alerts were raised exactly once.

The consumer is `local/pipeline/live-alerts.ts` (the live-alerts Lambda's logic and AWS adapters, card
state and alert records in DynamoDB and the fraud-alerts topic on moto, the archive in s3proxy), the
same code `make demo` runs, in its own consumer group for the whole chaos run, through every kill.

On AWS the consumer is an event source mapping: Lambda's managed pollers read the topic, and when the
broker goes away they keep polling and the mapping carries on from the group's committed offsets once
it is back; a function that dies mid-batch is invoked again with the same records. Nothing on AWS
gives up on the mapping for good, so the chaos driver does what the mapping does: the consumer
reconnects by itself (kafkajs retries), and when its process ends anyway (its client gave up, or it was
killed), the driver starts it again in the same group, which resumes at the committed offsets.

After the run, `check` compares the archived alerts with the batch's fraud report through the demo's own
comparison (local/chaos/live-alerts-check.ts, live-reconciliation.ts) and counts, per alert id, how
often the alert was raised (the consumers' stats), stored (archive rows) and notified (SNS messages,
delivered on moto to an SQS queue subscribed before the first record).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from chaos import kafka_lag
from chaos.end_state import FRAUD_REPORT
from chaos.twin_control import REPO_ROOT, ChaosError, Twin
from services.settings import TSX, pipeline_layout

LIVE_ALERTS = REPO_ROOT / "local" / "pipeline" / "live-alerts.ts"
CHECK = REPO_ROOT / "local" / "chaos" / "live-alerts-check.ts"
GROUP = "chaos-live-alerts"
# The consumer's archive folder in the processed zone (contracts/pipeline-layout.json).
ARCHIVE_PREFIX = pipeline_layout().live_alerts_prefix
NOTIFICATIONS_QUEUE = "chaos-fraud-alert-notifications"
# The name chaos scenarios use for the consumer where they name a twin service.
SERVICE = "live-alerts"
JOIN_TIMEOUT_SECONDS = 120
WATCH_SECONDS = 1.0
CATCH_UP_TIMEOUT_SECONDS = 600
CHECK_TIMEOUT_SECONDS = 300
BATCH_LINE = re.compile(r"batch (?P<partition>\S+) offsets (?P<first>\d+)\.\.(?P<last>\d+):")


class LiveConsumer:
    """live-alerts.ts in the chaos group, kept running: a process that ends is started again.

    Each process writes its own stats file (stats-<n>.json), so the alerts every process raised can be
    counted after the run, the killed ones' included (up to their last committed batch)."""

    def __init__(self, twin: Twin, topic: str) -> None:
        self.twin, self.topic = twin, topic
        self.folder = twin.home / "chaos-live"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_path = twin.home / "logs" / "chaos-live-alerts.log"
        self.restarts: list[str] = []
        self.kills = 0
        # After a kill: (the group's committed offset, records the killed process had run through the
        # logic past it), read once the process was gone.
        self.killed_with: tuple[int, int] | None = None
        self._starts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._started = time.monotonic()
        self._process: subprocess.Popen[bytes] | None = None
        self._start()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    @property
    def stats_files(self) -> list[Path]:
        return sorted(self.folder.glob("stats-*.json"), key=lambda p: int(p.stem.split("-")[1]))

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def _start(self) -> None:
        stats = self.folder / f"stats-{self._starts}.json"
        self._starts += 1
        command = [str(TSX), str(LIVE_ALERTS), "--group", GROUP, "--topic", self.topic]
        # A group that has committed nothing starts at the topic's start: the first process joins before
        # the first line is uploaded, and a restart resumes at the committed offsets either way.
        command += ["--from-beginning", "--stats", str(stats)]
        with self.log_path.open("ab") as log:
            log.write(f"== chaos: starting the live-alerts consumer, stats {stats.name}\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                command,
                env=self.twin.pipeline_env(),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # The first stats are written once the consumer has joined its group.
        deadline = time.monotonic() + JOIN_TIMEOUT_SECONDS
        while not stats.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise ChaosError(f"the live-alerts consumer did not start; see {self.log_path}")
            time.sleep(0.2)

    def _watch(self) -> None:
        while not self._stopping.wait(WATCH_SECONDS):
            with self._lock:
                if self._stopping.is_set() or self._process is None:
                    return
                code = self._process.poll()
                if code is None:
                    continue
                self.restarts.append(f"exited with code {code} at t+{time.monotonic() - self._started:.0f}s")
                try:
                    self._start()
                except ChaosError as error:
                    self.restarts.append(f"restart failed: {error}")

    def kill_and_restart(self) -> int:
        """SIGKILL the consumer's process group (no clean shutdown, no offsets committed), then start
        it again in the same group; returns the killed pid."""
        with self._lock:
            assert self._process is not None
            pid = self._process.pid
            os.killpg(pid, signal.SIGKILL)
            self._process.wait()
            self.kills += 1
            _, committed = self.lag()
            self.killed_with = (sum(committed.values()), self.processed_uncommitted(committed))
            self._start()
        return pid

    def wait_resumed(self, timeout: float = JOIN_TIMEOUT_SECONDS) -> int | None:
        """The first offset the current process read (summed over partitions), once it has read and
        committed a batch; None if it has not within `timeout` (nothing left to read, for one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError, ValueError):
                first = json.loads(self.stats_files[-1].read_text())["firstOffsets"]
                if first:
                    return int(sum(first.values()))
            time.sleep(0.5)
        return None

    def stop(self) -> None:
        """SIGTERM: the consumer commits its finished batches and leaves the group."""
        self._stopping.set()
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def lag(self) -> tuple[dict[int, int], dict[int, int]]:
        """(end offset, the group's committed offset) per partition of the topic."""
        port = int(self.twin.env["TWIN_KAFKA_PORT"])
        ends = kafka_lag.end_offsets(port, self.topic)
        return ends, kafka_lag.committed_offsets(port, GROUP, self.topic, sorted(ends))

    def wait_until_caught_up(self, timeout: float = CATCH_UP_TIMEOUT_SECONDS) -> float:
        """Waits until the group has committed every record on the topic; returns the seconds waited."""
        began = time.monotonic()
        while True:
            try:
                ends, committed = self.lag()
                if all(committed.get(p, 0) >= end for p, end in ends.items()):
                    return time.monotonic() - began
            except (OSError, ConnectionError):
                pass  # the broker is coming back
            if time.monotonic() - began > timeout:
                raise ChaosError(f"the live-alerts consumer did not catch up within {timeout:.0f}s")
            time.sleep(1.0)

    def processed_uncommitted(self, committed: dict[int, int]) -> int:
        """Records the current process reports done (its log's batch lines) beyond `committed`: read and
        run through the logic, their offsets not committed yet."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        section = text.rsplit("== chaos: starting", 1)[-1]
        done: dict[int, int] = {}
        for match in BATCH_LINE.finditer(section):
            partition = int(match["partition"].rsplit("-", 1)[1])
            done[partition] = max(done.get(partition, 0), int(match["last"]) + 1)
        return sum(max(n - committed.get(p, 0), 0) for p, n in done.items())


def subscribe_notifications(env: dict[str, str]) -> str:
    """An SQS queue on moto subscribed to the fraud-alerts topic: every SNS message the consumers send
    lands in it, to be counted after the run. Returns the queue URL."""
    sqs = _client("sqs", env)
    url: str = sqs.create_queue(QueueName=NOTIFICATIONS_QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _client("sns", env).subscribe(
        TopicArn=env["TWIN_FRAUD_ALERTS_TOPIC_ARN"], Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True
    )
    return url


def _client(service: str, env: dict[str, str]) -> Any:
    return boto3.client(
        service,
        endpoint_url=env["TWIN_MOTO_ENDPOINT"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def notifications(env: dict[str, str], queue_url: str) -> Counter[str]:
    """Alert id -> SNS messages sent for it (every message in the queue, each received once)."""
    sqs = _client("sqs", env)
    counts: Counter[str] = Counter()
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=3600, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return counts
        for message in messages:
            envelope = json.loads(message["Body"])
            counts[json.loads(envelope["Message"])["alertId"]] += 1


def stored_records(env: dict[str, str]) -> dict[str, bool]:
    """Alert id -> notified, from the alerts table (one item per id: its key)."""
    dynamodb = _client("dynamodb", env)
    records: dict[str, bool] = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=env["TWIN_LIVE_ALERTS_TABLE"]):
        for item in page["Items"]:
            records[item["alertId"]["S"]] = bool(item.get("notified", {}).get("BOOL", False))
    return records


def archive_rows(twin: Twin) -> Counter[str]:
    """Alert id -> rows in the live archive (s3proxy keeps objects as plain files)."""
    rows: Counter[str] = Counter()
    root = twin.bucket_dir("processed") / ARCHIVE_PREFIX
    for path in sorted(root.rglob("*.jsonl")) if root.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows[json.loads(line)["alert_id"]] += 1
    return rows


def raised(stats_files: list[Path]) -> Counter[str]:
    """Alert id -> consumer processes that raised it (recorded and notified it), by their stats."""
    counts: Counter[str] = Counter()
    for path in stats_files:
        with contextlib.suppress(FileNotFoundError):
            counts.update(alert["alertId"] for alert in json.loads(path.read_text())["alerts"])
    return counts


def given_up(twin: Twin) -> int:
    """Records the consumers wrote to the on-failure file (the on-failure queue's stand-in)."""
    path = twin.home / "live-alerts" / "on-failure.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0


@dataclass
class LiveVerdict:
    compared: int = 0
    matched: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        # No alert compared proves nothing: the run must raise some.
        return self.compared > 0 and not self.lost and not self.doubled


def compare_with_batch(twin: Twin) -> dict[str, Any]:
    """live-alerts-check.ts: the archive against the batch's fraud report with the demo's comparison."""
    result_file = twin.home / "chaos-live-check.json"
    result_file.unlink(missing_ok=True)
    done = subprocess.run(
        [str(TSX), str(CHECK), "--json", str(result_file)],
        env=twin.pipeline_env(),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=CHECK_TIMEOUT_SECONDS,
    )
    if done.returncode != 0 or not result_file.exists():
        raise ChaosError(f"live-alerts-check.ts failed: {(done.stderr or done.stdout).strip()[-500:]}")
    result: dict[str, Any] = json.loads(result_file.read_text())
    return result


def judge(
    comparison: dict[str, Any],
    archived: Counter[str],
    notified: Counter[str],
    records: dict[str, bool],
    raised_by: Counter[str],
) -> LiveVerdict:
    """Lost: in the batch's fraud report only, live only, or stored without a notification. Doubled: an
    alert id raised, stored or notified more than once."""
    only_batch: list[str] = comparison["onlyBatch"]
    only_live: list[str] = comparison["onlyLive"]
    verdict = LiveVerdict(compared=comparison["matched"] + len(only_batch) + len(only_live))
    verdict.matched = comparison["matched"]
    verdict.lost += [f"only in {FRAUD_REPORT} (not raised live): {a}" for a in only_batch]
    verdict.lost += [f"only live (not in {FRAUD_REPORT}): {a}" for a in only_live]
    for alert_id in sorted(set(records) | set(archived)):
        if not records.get(alert_id, False) or notified[alert_id] == 0:
            verdict.lost.append(f"alert {alert_id} stored but never notified")
    for name, counts in (("raised", raised_by), ("archived", archived), ("notified", notified)):
        for alert_id, n in sorted(counts.items()):
            if n > 1:
                verdict.doubled.append(f"alert {alert_id} {name} {n} times")
    return verdict


def check(twin: Twin, consumer: LiveConsumer, queue_url: str) -> LiveVerdict:
    """After the pipeline's end state: the consumer caught up and stopped, then every store read."""
    waited = consumer.wait_until_caught_up()
    consumer.stop()
    env = twin.pipeline_env()
    verdict = judge(
        compare_with_batch(twin),
        archive_rows(twin),
        notifications(env, queue_url),
        stored_records(env),
        raised(consumer.stats_files),
    )
    ends, _ = consumer.lag()
    verdict.notes.append(
        f"{verdict.compared} alert(s) compared, {verdict.matched} in both {FRAUD_REPORT} and live "
        f"(topic of {len(ends)} partition(s), every record committed {waited:.0f}s after the pipeline)"
    )
    if consumer.kills:
        verdict.notes.append(f"consumer SIGKILLed {consumer.kills} time(s) and restarted")
    if consumer.restarts:
        verdict.notes.append(f"consumer restarted by the driver: {'; '.join(consumer.restarts)}")
    gave_up = given_up(twin)
    if gave_up:
        verdict.notes.append(f"{gave_up} record(s) given up after their retries (on-failure file)")
    if verdict.ok:
        verdict.notes.append("each alert raised, stored and notified once")
    elif verdict.compared == 0:
        verdict.notes.append("no alert to compare: the run raised none, so it shows nothing")
    return verdict
