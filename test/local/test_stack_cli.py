"""Fast checks of the service manager's safety rules; they start no service.

Run: .local/venv/bin/python -m pytest test/local -m "not twin"
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from twin_harness import TWIN_CLI

from services import processes
from services.manager import select
from services.processes import ProcessRecord


def _stack(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TWIN_CLI), *args],
        env={**os.environ, "TWIN_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_taken_port_names_the_port_the_service_and_the_variable(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = _stack(tmp_path / "twin", "start", "s3", TWIN_S3_PORT=str(port))
    assert result.returncode == 1
    assert f"port {port}" in result.stderr
    assert "s3 service" in result.stderr
    assert "TWIN_S3_PORT=" in result.stderr
    assert not list((tmp_path / "twin" / "run").glob("*.json")), "nothing may be started"


def test_a_bad_port_variable_is_rejected_with_its_name(tmp_path: Path) -> None:
    result = _stack(tmp_path / "twin", "status", TWIN_KAFKA_PORT="90x2")
    assert result.returncode != 0
    assert "TWIN_KAFKA_PORT='90x2' is not a TCP port" in result.stderr


def test_stop_never_signals_a_recycled_pid(tmp_path: Path) -> None:
    """A pid file whose pid now belongs to another process (other start time) is only cleaned up."""
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        ticks = processes.start_ticks_of(bystander.pid)
        assert ticks is not None
        home = tmp_path / "twin"
        (home / "run").mkdir(parents=True)
        record = ProcessRecord("kafka", bystander.pid, ticks + 1, {"kafka": 1}, ["java"])
        record.write(home / "run" / "kafka.json")

        result = _stack(home, "stop")

        assert result.returncode == 0, result.stderr
        assert "was not running" in result.stdout
        assert bystander.poll() is None, "stop signalled a process it did not start"
        assert not (home / "run" / "kafka.json").exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_stop_ends_the_recorded_process(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        home = tmp_path / "twin"
        (home / "run").mkdir(parents=True)
        ticks = processes.start_ticks_of(child.pid)
        assert ticks is not None
        ProcessRecord("sftp", child.pid, ticks, {"sftp": 1}, []).write(home / "run" / "sftp.json")

        result = _stack(home, "stop")

        assert result.returncode == 0, result.stderr
        assert child.wait(timeout=10) is not None
        assert "sftp      stopped" in result.stdout
    finally:
        child.kill()
        child.wait()


def test_clean_refuses_a_directory_that_is_no_twin_home(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("data")
    result = _stack(precious, "clean")
    assert result.returncode == 1
    assert "not deleting" in result.stderr
    assert (precious / "keep.txt").exists()


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (["connect"], ["s3", "sftp", "kafka", "connect"]),
        (["kafka"], ["kafka"]),
        ([], ["s3", "postgres", "sftp", "kafka", "connect", "moto"]),
    ],
)
def test_start_adds_dependencies_in_start_order(requested: list[str], expected: list[str]) -> None:
    assert [service.name for service in select(requested, with_dependencies=True)] == expected


def test_pid_file_round_trip(tmp_path: Path) -> None:
    record = ProcessRecord("s3", 123, 456, {"s3": 9000}, ["java", "-cp", "x"])
    record.write(tmp_path / "s3.json")
    assert ProcessRecord.read(tmp_path / "s3.json") == record
    assert json.loads((tmp_path / "s3.json").read_text())["pid"] == 123
    (tmp_path / "broken.json").write_text("{not json")
    assert ProcessRecord.read(tmp_path / "broken.json") is None
