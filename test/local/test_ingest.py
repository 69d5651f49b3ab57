"""The ingest path on the real local twin: SFTP drop -> source connector -> Kafka topic -> S3 sink ->
raw zone on s3proxy, with the project's own plugin zips and the connector configs rendered from
connectors/connector-config.ts.

Run: .local/venv/bin/python -m pytest test/local -m twin
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from twin_harness import REPO_ROOT, RunningTwin

from services import processes
from services.manager import effective_ports
from services.render import render
from services.servers.sftp import SftpLayout, sftp_client_command
from services.settings import Paths

pytestmark = pytest.mark.twin

INGEST_TIMEOUT_SECONDS = 150
RAW_KEY_PATTERN = re.compile(r"^transactions/year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2}/[^/]+\.jsonl?$")


def _transaction(index: int, **extra: object) -> str:
    record = {
        "transaction_id": f"T{index:06d}",
        "account_id": f"A{index % 7:04d}",
        "amount": round(10.5 * index, 2),
        "operation": "WITHDRAWAL",
        **extra,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _drop_files() -> dict[str, bytes]:
    """Files as an SFTP client would upload them, covering the line-ending edge cases."""
    plain = [_transaction(i) for i in range(1, 6)]
    crlf = [_transaction(i) for i in range(6, 10)]
    unterminated = [_transaction(i) for i in range(10, 13)]
    unicode_lines = [
        _transaction(13, atm_location="Zürich Hauptbahnhof", note="€ 20 — ok"),
        _transaction(14, atm_location="名古屋駅", note="emoji 🏧"),
    ]
    return {
        "batch-plain.jsonl": ("\n".join(plain) + "\n").encode(),
        # CRLF endings and a blank line (not a transaction: never a record).
        "batch-crlf.jsonl": ("\r\n".join(crlf[:2]) + "\r\n\r\n" + "\r\n".join(crlf[2:]) + "\r\n").encode(),
        "batch-no-final-newline.jsonl": "\n".join(unterminated).encode(),
        "batch-unicode.json": ("\n".join(unicode_lines) + "\n").encode("utf-8"),
    }


def _expected_lines(files: dict[str, bytes]) -> Counter[str]:
    lines: Counter[str] = Counter()
    for content in files.values():
        for line in content.decode("utf-8").split("\n"):
            text = line.removesuffix("\r")
            if text.strip():
                lines[text] += 1
    return lines


def _upload(twin: RunningTwin, files: dict[str, bytes], staging: Path) -> None:
    """Uploads through the real SFTP server under a temporary name, then renames: never half-read."""
    staging.mkdir(parents=True, exist_ok=True)
    batch = []
    for name, content in files.items():
        (staging / name).write_bytes(content)
        batch += [f"put {staging / name} {name}.part", f"rename {name}.part {name}"]
    endpoints = twin.endpoints()
    command = sftp_client_command(SftpLayout(Paths(twin.home)), int(endpoints["TWIN_SFTP_PORT"]))
    result = subprocess.run(
        command, input="\n".join(batch) + "\n", capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"sftp upload failed: {result.stderr}"


def _raw_objects(twin: RunningTwin) -> dict[str, bytes]:
    endpoints = twin.endpoints()
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoints["AWS_ENDPOINT_URL_S3"],
        aws_access_key_id=endpoints["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=endpoints["AWS_SECRET_ACCESS_KEY"],
        region_name=endpoints["AWS_REGION"],
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
    bucket = endpoints["TWIN_RAW_BUCKET"]
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            if "/_sink_watermarks/" in item["Key"]:
                continue  # the sink's watermark objects hold no transaction lines
            try:
                objects[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            except s3.exceptions.NoSuchKey:
                # Seen while the sink was writing: s3proxy's file store listed a key whose GET then
                # answered NoSuchKey. It is read on a later poll; the callers compare the complete
                # zone, so nothing is skipped for good.
                continue
    return objects


def _raw_lines(objects: dict[str, bytes]) -> Counter[str]:
    lines: Counter[str] = Counter()
    for content in objects.values():
        lines.update(line for line in content.decode("utf-8").split("\n") if line)
    return lines


def _wait_for_raw_lines(twin: RunningTwin, expected: Counter[str]) -> dict[str, bytes]:
    """Polls the raw zone until it holds the expected lines; fails on any extra or duplicate line."""
    deadline = time.monotonic() + INGEST_TIMEOUT_SECONDS
    objects: dict[str, bytes] = {}
    while time.monotonic() < deadline:
        objects = _raw_objects(twin)
        found = _raw_lines(objects)
        assert not found - expected, f"unexpected or duplicated lines in the raw zone: {found - expected}"
        if found == expected:
            return objects
        time.sleep(2)
    missing = expected - _raw_lines(objects)
    raise AssertionError(
        f"raw zone still misses {sum(missing.values())} line(s) after {INGEST_TIMEOUT_SECONDS}s: {missing}"
    )


def test_connectors_deploy_and_run(twin: RunningTwin) -> None:
    result = twin.stack("connectors", "--partitions", "3", timeout=240)
    assert "RUNNING" in result.stdout


def test_every_line_lands_once_in_the_raw_zone(twin: RunningTwin, tmp_path: Path) -> None:
    files = _drop_files()
    expected = _expected_lines(files)
    assert sum(expected.values()) == 14  # the blank line is no transaction

    _upload(twin, files, tmp_path)
    objects = _wait_for_raw_lines(twin, expected)

    bad_keys = [key for key in objects if not RAW_KEY_PATTERN.match(key)]
    assert not bad_keys, f"raw objects outside the data-layout path: {bad_keys}"
    # Every line is one JSON object carried as received (no re-encoding of the unicode text).
    assert all(json.loads(line)["transaction_id"] for line in _raw_lines(objects))
    assert any("名古屋駅" in line for line in _raw_lines(objects))


def test_spark_reads_and_writes_the_zones_over_s3a(twin: RunningTwin) -> None:
    """Local Spark (pyspark's Hadoop 3.3.4 + the pinned hadoop-aws) on s3a:// against s3proxy."""
    expected = sorted(_raw_lines(_raw_objects(twin)).elements())
    assert expected, "the previous test left nothing in the raw zone"
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("spark_s3a_probe.py")), "twin-probe/lines"],
        env={**twin.env, **twin.endpoints()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"Spark s3a probe failed:\n{result.stderr[-4000:]}"
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["raw_lines"] == expected
    assert probe["parquet_lines"] == expected


def test_generator_produces_straight_to_kafka(twin: RunningTwin) -> None:
    """tools/generator with --kafka-brokers against the real broker: the lines it prints for the same
    seed reach the raw zone once each, through the real topic and S3 sink connector."""
    paths = Paths(twin.home)
    (topic,) = render(paths, effective_ports(paths)).topics()
    generate = [
        str(REPO_ROOT / "node_modules" / ".bin" / "tsx"),
        str(REPO_ROOT / "tools" / "generator" / "cli.ts"),
    ]
    options = ["--seed", "11", "--count", "200"]
    printed = subprocess.run(
        [*generate, *options], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    ).stdout.splitlines()
    assert len(printed) == 200
    expected = _raw_lines(_raw_objects(twin)) + Counter(printed)

    brokers = twin.endpoints()["TWIN_KAFKA_BOOTSTRAP"]
    produced = subprocess.run(
        [*generate, *options, "--kafka-brokers", brokers, "--topic", topic],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert produced.returncode == 0, produced.stderr
    _wait_for_raw_lines(twin, expected)


def test_stop_and_start_keep_state_and_resume(twin: RunningTwin, tmp_path: Path) -> None:
    before = _raw_objects(twin)
    assert before, "the previous test left nothing in the raw zone"
    twin.stack("stop")
    twin.stack("start")

    assert _raw_objects(twin) == before  # s3proxy kept every object on disk
    more = {"batch-after-restart.jsonl": (_transaction(100) + "\n" + _transaction(101) + "\n").encode()}
    _upload(twin, more, tmp_path / "second")
    expected = _raw_lines(before) + _expected_lines(more)
    # The connectors came back from Connect's config topic and resumed: no file is read twice.
    _wait_for_raw_lines(twin, expected)


def test_stop_leaves_no_process_behind(twin: RunningTwin) -> None:
    records = twin.records()
    assert {record.service for record in records} == {"s3", "postgres", "sftp", "kafka", "connect", "moto"}
    twin.stack("stop")
    still_running = [f"{r.service} (pid {r.pid})" for r in records if processes.is_running(r)]
    assert not still_running
    assert not list((twin.home / "run").glob("*.json"))
