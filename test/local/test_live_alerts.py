"""The live fraud-alerts path on the real local twin, proven equal to the batch answer and at-least-once
safe across a crash.

Generated transactions with injected fraud and bad lines are dropped on the twin's SFTP server; the
source connector carries them to the Kafka topic; local/pipeline/live-alerts.ts (the live-alerts
Lambda's logic and AWS adapters, fed by kafkajs) raises alerts into DynamoDB and SNS on the twin's moto
server and the archive on s3proxy. Its first run is killed (SIGKILL) right after it stored a batch's
alerts and before it committed that batch's offsets; the second run resumes from the last commit and
reads that batch again. Meanwhile the ATM job (bankpipe.job.run, the EMR step's code) computes
fraud_flags over the same lines on local Spark, in its own process.

The topic has one partition here: the live rules give exactly the batch's alerts for records at most
the rules' out-of-order tolerance behind the newest of their card (contracts/fraud-rules.json), and a
backlog of two days spread over several partitions, read one partition after the other, is not. On
one partition the records arrive in file order, the order the batch sorts by.

The bad lines are of the kinds both sides reject (not JSON, not an object), so the alert comparison
holds for every line and the consumer's bad-line count is exact.

Run: .local/venv/bin/python -m pytest test/local/test_live_alerts.py -m twin
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from twin_harness import REPO_ROOT, TSX, RunningTwin

from services.servers.sftp import SftpLayout, sftp_client_command
from services.settings import Paths

pytestmark = pytest.mark.twin

GENERATOR = REPO_ROOT / "tools" / "generator" / "cli.ts"
LIVE_ALERTS = REPO_ROOT / "local" / "pipeline" / "live-alerts.ts"
BATCH_ANSWER = Path(__file__).with_name("batch_fraud_alerts.py")
ARCHIVE_PREFIX = "live_fraud_alerts/"
LINES = 1500
# The first run dies after this many batches that stored alerts (100 records a batch).
CRASH_AFTER_ALERT_BATCHES = 2
RUN_TIMEOUT_SECONDS = 300
BATCH_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class Generated:
    folder: Path
    summary: dict[str, Any]


@dataclass(frozen=True)
class ConsumerRun:
    returncode: int
    stats: dict[str, Any]
    log: str


@dataclass(frozen=True)
class Scenario:
    generated: Generated
    crashed: ConsumerRun
    alert_ids_after_crash: set[str]
    resumed: ConsumerRun
    batch_alerts: list[list[Any]]
    endpoints: dict[str, str]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    base = tmp_path_factory.mktemp("live-alerts")
    folder = base / "drop"
    command = [str(TSX), str(GENERATOR), "--seed", "live-1", "--count", str(LINES), "--start", "2024-03-01"]
    command += ["--days", "2", "--files", "1", "--fraud-ratio", "0.05", "--duplicate-ratio", "0.01"]
    command += ["--bad-ratio", "0.01", "--bad-kinds", "malformed_json,not_an_object"]
    command += ["--out", str(folder), "--summary", str(base / "summary.json")]
    subprocess.run(command, cwd=REPO_ROOT, check=True, capture_output=True, timeout=300)
    return Generated(folder, json.loads((base / "summary.json").read_text()))


@pytest.fixture(scope="module")
def batch_job(generated: Generated) -> Iterator[subprocess.Popen[str]]:
    """Started before the twin, so Spark's minute overlaps the twin's start and the live runs."""
    work = generated.folder.parent / "batch"
    process = subprocess.Popen(
        [sys.executable, str(BATCH_ANSWER), str(generated.folder), str(work)],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "spark-jobs")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def scenario(
    generated: Generated, batch_job: subprocess.Popen[str], twin: RunningTwin, tmp_path_factory
) -> Scenario:
    work = tmp_path_factory.mktemp("live-alerts-runs")
    began = time.monotonic()
    twin.stack("connectors", "--partitions", "1", timeout=300)
    endpoints = twin.endpoints()
    env = {**twin.env, **endpoints, "NODE_NO_WARNINGS": "1"}

    first = _start_consumer(
        env, work / "first", "--crash-after-alert-batches", str(CRASH_AFTER_ALERT_BATCHES)
    )
    _upload(twin, endpoints, generated.folder, work / "staging")
    crashed = _finish(first, work / "first", timeout=RUN_TIMEOUT_SECONDS)
    print(f"first run died after {time.monotonic() - began:.0f}s")
    alert_ids_after_crash = {item["alertId"]["S"] for item in _alert_items(endpoints)}

    second = _start_consumer(env, work / "second")
    _wait_for_committed(second, work / "second", generated.summary["lines_total"])
    second.send_signal(signal.SIGTERM)
    resumed = _finish(second, work / "second", timeout=60)
    print(f"second run caught up after {time.monotonic() - began:.0f}s")

    stdout, stderr = batch_job.communicate(timeout=BATCH_TIMEOUT_SECONDS)
    assert batch_job.returncode == 0, f"the batch job failed:\n{stderr[-4000:]}"
    batch_alerts = json.loads(stdout.strip().splitlines()[-1])["alerts"]
    print(f"batch answer read after {time.monotonic() - began:.0f}s")
    return Scenario(generated, crashed, alert_ids_after_crash, resumed, batch_alerts, endpoints)


def test_the_first_run_died_after_storing_alerts_it_had_not_committed(scenario: Scenario) -> None:
    crashed = scenario.crashed
    # tsx runs the command in a child node process and exits 128 + the signal that killed it.
    assert crashed.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL), crashed.log
    assert "crashing after 2 batch(es) with alerts" in crashed.log
    # Its stats are written after each commit: the alerts of the batch it died in are not in them ...
    committed_alert_ids = {alert["alertId"] for alert in crashed.stats["alerts"]}
    assert committed_alert_ids, "the first committed batch raised no alert: the crash came too early"
    # ... but they were stored: the table holds more than the committed batches raised.
    assert committed_alert_ids < scenario.alert_ids_after_crash
    # It died mid-stream, and the second run resumed at its last commit, reading that batch again.
    (partition,) = crashed.stats["committed"]
    assert crashed.stats["committed"][partition] < scenario.generated.summary["lines_total"]
    assert scenario.resumed.stats["firstOffsets"][partition] == crashed.stats["committed"][partition]


def test_live_alerts_equal_the_batch_fraud_flags(scenario: Scenario) -> None:
    batch = {(rule, card, start, end) for rule, card, start, end, _ in scenario.batch_alerts}
    live = set()
    for item in _alert_items(scenario.endpoints):
        alert = json.loads(item["alert"]["S"])
        live.add((alert["rule"], alert["cardId"], alert["windowStart"] // 1000, alert["windowEnd"] // 1000))
    assert live == batch
    # Every rule fired, so the comparison covers all three.
    assert {key[0] for key in batch} == {"withdrawal_burst", "impossible_travel", "repeated_max_amount"}


def test_after_the_restart_no_alert_is_lost_or_doubled(scenario: Scenario) -> None:
    expected = {alert_id for *_, alert_id in scenario.batch_alerts}
    items = _alert_items(scenario.endpoints)
    assert Counter(item["alertId"]["S"] for item in items) == Counter(expected)
    assert all(item["notified"]["BOOL"] for item in items), "an alert was recorded but never published"

    archived = Counter(_archived_alert_ids(scenario.endpoints))
    assert archived == Counter(expected), f"archive rows differ: {archived - Counter(expected)}"

    published = Counter(_published_alert_ids(scenario.endpoints))
    assert published == Counter(expected), f"SNS publishes differ: {published - Counter(expected)}"

    # The batch read again after the crash raised nothing its first reading had stored.
    raised_again = {alert["alertId"] for alert in scenario.resumed.stats["alerts"]}
    assert not raised_again & scenario.alert_ids_after_crash


def test_bad_lines_are_skipped_counted_and_never_crash_the_consumer(scenario: Scenario) -> None:
    assert scenario.resumed.returncode == 0, scenario.resumed.log
    positions = {
        (bad["partition"], bad["offset"])
        for run in (scenario.crashed, scenario.resumed)
        for bad in run.stats["badLines"]
    }
    assert len(positions) == scenario.generated.summary["bad"] > 0
    assert scenario.resumed.stats["recordsGivenUp"] == 0


def test_every_alert_has_its_latency(scenario: Scenario) -> None:
    stats = scenario.resumed.stats
    assert stats["alerts"], "the second run stored no alert"
    assert stats["latencyMs"]["count"] == len(stats["alerts"])
    for alert in stats["alerts"]:
        assert 0 <= alert["sinceArrivalMs"] <= alert["sinceKafkaMs"], alert


# --- helpers ------------------------------------------------------------------------------------------


def _start_consumer(env: dict[str, str], folder: Path, *args: str) -> subprocess.Popen[bytes]:
    folder.mkdir(parents=True)
    command = [str(TSX), str(LIVE_ALERTS), "--from-beginning", "--stats", str(folder / "stats.json"), *args]
    with (folder / "consumer.log").open("wb") as log:
        return subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)


def _finish(process: subprocess.Popen[bytes], folder: Path, timeout: float) -> ConsumerRun:
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(
            f"the consumer did not end within {timeout:.0f}s:\n{(folder / 'consumer.log').read_text()}"
        ) from None
    log = (folder / "consumer.log").read_text()
    stats_file = folder / "stats.json"
    assert stats_file.exists(), f"the consumer wrote no stats:\n{log}"
    return ConsumerRun(process.returncode, json.loads(stats_file.read_text()), log)


def _wait_for_committed(process: subprocess.Popen[bytes], folder: Path, records: int) -> None:
    """Until the consumer has committed every record of the (one-partition, fresh) topic."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    committed = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the consumer exited ({process.returncode}):\n{(folder / 'consumer.log').read_text()}"
            )
        try:
            committed = sum(json.loads((folder / "stats.json").read_text())["committed"].values())
        except (OSError, ValueError):
            committed = 0
        if committed >= records:
            return
        time.sleep(1)
    process.kill()
    raise AssertionError(
        f"{committed} of {records} records committed after {RUN_TIMEOUT_SECONDS}s:\n"
        + (folder / "consumer.log").read_text()
    )


def _upload(twin: RunningTwin, endpoints: dict[str, str], folder: Path, staging: Path) -> None:
    """Through the real SFTP server, under a temporary name renamed when complete (never half-read)."""
    staging.mkdir(parents=True)
    batch = []
    for file in sorted(folder.glob("*.jsonl")):
        batch += [f"put {file} {file.name}.part", f"rename {file.name}.part {file.name}"]
    command = sftp_client_command(SftpLayout(Paths(twin.home)), int(endpoints["TWIN_SFTP_PORT"]))
    result = subprocess.run(
        command, input="\n".join(batch) + "\n", capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, f"sftp upload failed: {result.stderr}"


def _client(service: str, endpoints: dict[str, str], endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        aws_access_key_id=endpoints["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=endpoints["AWS_SECRET_ACCESS_KEY"],
        region_name=endpoints["AWS_REGION"],
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def _alert_items(endpoints: dict[str, str]) -> list[dict[str, Any]]:
    dynamodb = _client("dynamodb", endpoints, endpoints["TWIN_MOTO_ENDPOINT"])
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=endpoints["TWIN_LIVE_ALERTS_TABLE"], ConsistentRead=True
    ):
        items += page["Items"]
    return items


def _archived_alert_ids(endpoints: dict[str, str]) -> list[str]:
    s3 = _client("s3", endpoints, endpoints["TWIN_S3_ENDPOINT"])
    bucket = endpoints["TWIN_PROCESSED_BUCKET"]
    ids = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=ARCHIVE_PREFIX):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
            ids += [json.loads(line)["alert_id"] for line in body.splitlines() if line]
    return ids


def _published_alert_ids(endpoints: dict[str, str]) -> list[str]:
    """What SNS was asked to publish on the fraud-alerts topic, from moto's model data."""
    with urllib.request.urlopen(
        f"{endpoints['TWIN_MOTO_ENDPOINT']}/moto-api/data.json", timeout=30
    ) as answer:
        models = json.load(answer)
    (topic,) = [t for t in models["sns"]["Topic"] if t["arn"] == endpoints["TWIN_FRAUD_ALERTS_TOPIC_ARN"]]
    # Each entry: message id, message, subject, message attributes, group id.
    return [attributes["alertId"]["Value"] for _, _, _, attributes, _ in topic["sent_notifications"]]
