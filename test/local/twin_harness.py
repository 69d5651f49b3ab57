"""Drives a local twin from tests: `twin.py` in a subprocess with its own TWIN_HOME and ports."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "local"))

from services import processes  # noqa: E402 - needs the path above
from services.processes import ProcessRecord  # noqa: E402
from services.settings import RUN_PIPELINE, TSX, TWIN_CLI, free_ports  # noqa: E402

START_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class RunningTwin:
    home: Path
    env: dict[str, str]

    def stack(self, *args: str, timeout: float = START_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, str(TWIN_CLI), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"twin.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def endpoints(self) -> dict[str, str]:
        """The `export` lines of `twin.py env`, as a dict."""
        lines = self.stack("env").stdout.splitlines()
        pairs = (line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
        return {key: value.strip("'") for key, value in pairs}

    def records(self) -> list[ProcessRecord]:
        return [
            record
            for file in sorted((self.home / "run").glob("*.json"))
            if (record := ProcessRecord.read(file))
        ]


def running_twin() -> Iterator[RunningTwin]:
    """Starts a whole twin in a fresh state dir on free ports; stops it (asserting nothing is left) after."""
    # Not pytest's tmp_path: its folders are private (0700) and PostgreSQL and the SFTP user run as
    # other OS users that must reach their data.
    home = Path(tempfile.mkdtemp(prefix="twin-test-"))
    home.chmod(0o755)
    ports = free_ports(7)
    env = {
        **os.environ,
        "TWIN_HOME": str(home),
        "TWIN_SFTP_PORT": str(ports[0]),
        "TWIN_KAFKA_PORT": str(ports[1]),
        "TWIN_KAFKA_CONTROLLER_PORT": str(ports[2]),
        "TWIN_CONNECT_PORT": str(ports[3]),
        "TWIN_S3_PORT": str(ports[4]),
        "TWIN_PG_PORT": str(ports[5]),
        "TWIN_MOTO_PORT": str(ports[6]),
    }
    running = RunningTwin(home, env)
    started: list[ProcessRecord] = []
    try:
        running.stack("start")
        started = running.records()
        yield running
    finally:
        # Records read again: a start cut short may have launched more than it reported.
        started = [*started, *running.records()]
        # Output captured: a closed pytest stdout must not break the stop half-way.
        stop = subprocess.run(
            [sys.executable, str(TWIN_CLI), "stop"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )
        leftovers = [
            f"{record.service} (pid {record.pid})" for record in started if processes.is_running(record)
        ]
        if leftovers:
            # Ours for sure (same pid and kernel start time): never leave them running, keep the logs.
            for record in started:
                processes.stop(record, grace_seconds=10)
            raise AssertionError(
                f"still running after `twin.py stop`: {', '.join(leftovers)} (killed now; logs kept in "
                f"{home / 'logs'}).\n{stop.stdout}{stop.stderr}"
            )
        shutil.rmtree(home, ignore_errors=True)


def run_pipeline(
    env: dict[str, str], result_file: Path, *args: str, timeout_seconds: int
) -> subprocess.CompletedProcess[str]:
    """The pipeline run with `args`, writing its result to `result_file`; fails if it wrote none."""
    completed = subprocess.run(
        [str(TSX), str(RUN_PIPELINE), *args, "--json", str(result_file)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
    )
    assert result_file.exists(), f"the pipeline wrote no result:\n{completed.stdout}\n{completed.stderr}"
    return completed


def interrupted_pipeline(
    env: dict[str, str], *args: str, interrupt_after: str, timeout_seconds: int
) -> tuple[int, str]:
    """The pipeline run with `args`, sent SIGINT as Ctrl-C does once a line of its output contains
    `interrupt_after`: to its whole process group (the driver and every job it started). Returns its
    exit status and output; fails if the line never came."""
    process = subprocess.Popen(
        [str(TSX), str(RUN_PIPELINE), *args],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    output: list[str] = []
    timer = threading.Timer(timeout_seconds, lambda: os.killpg(process.pid, signal.SIGKILL))
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if interrupt_after in line:
                os.killpg(process.pid, signal.SIGINT)
                break
        else:
            process.wait()
            raise AssertionError(f"the run ended before printing {interrupt_after!r}:\n{''.join(output)}")
        output.append(process.stdout.read())
        return process.wait(), "".join(output)
    finally:
        timer.cancel()


def warehouse_connection(env: dict[str, str]) -> psycopg.Connection:
    """The twin's PostgreSQL warehouse, from the TWIN_PG_* variables of its environment."""
    return psycopg.connect(
        host=env["TWIN_PG_HOST"],
        port=int(env["TWIN_PG_PORT"]),
        user=env["TWIN_PG_USER"],
        password=env["TWIN_PG_PASSWORD"],
        dbname=env["TWIN_PG_DATABASE"],
    )
