"""Drives a local twin from tests: `twin.py` in a subprocess with its own TWIN_HOME and ports."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "local"))

from services import processes, twin_client  # noqa: E402 - needs the path above
from services.processes import ProcessRecord  # noqa: E402
from services.settings import RUN_PIPELINE, TSX, TWIN_CLI  # noqa: E402, F401 - tests take TWIN_CLI from here
from services.twin_client import warehouse_connection  # noqa: E402, F401 - the tests take it from here

START_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class RunningTwin:
    home: Path
    env: dict[str, str]

    def stack(self, *args: str, timeout: float = START_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
        return twin_client.run_cli(self.env, *args, timeout=timeout, fail_with=AssertionError)

    def endpoints(self) -> dict[str, str]:
        """The `export` lines of `twin.py env`, as a dict."""
        return twin_client.exports(self.stack("env").stdout)

    def records(self) -> list[ProcessRecord]:
        return [
            record
            for file in sorted((self.home / "run").glob("*.json"))
            if (record := ProcessRecord.read(file))
        ]


def running_twin() -> Iterator[RunningTwin]:
    """Starts a whole twin in a fresh state dir on free ports; stops it (asserting nothing is left) after."""
    home, env = twin_client.fresh_home("twin-test-")
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
        stop = twin_client.run_cli(env, "stop", timeout=180, fail_with=None)
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
