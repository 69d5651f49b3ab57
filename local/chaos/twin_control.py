"""A whole local twin in its own state directory on free ports, and the moves a chaos run makes on it:
SIGKILL one service by its recorded pid, start it again, upload files over SFTP, run the pipeline.

Uses `local/twin.py` for everything the twin's users do (start, stop, connectors, env), so a chaos run
exercises the same restart path as an operator would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services import processes, twin_client
from services.processes import ProcessRecord, proc_stat, start_ticks_of
from services.servers.sftp import SftpLayout, sftp_client_command
from services.settings import BUCKETS, RUN_PIPELINE, TSX, Paths

REPO_ROOT = Path(__file__).resolve().parents[2]
# A restart right after a SIGKILL can meet the dead process's leftovers for a moment (PostgreSQL's
# backends still attached to shared memory, a port in TIME_WAIT): the start is tried again.
RESTART_ATTEMPTS = 6
RESTART_PAUSE_SECONDS = 2.0


class ChaosError(Exception):
    """The chaos run could not do what it set out to do (not a finding about the pipeline)."""


@dataclass
class Twin:
    home: Path
    env: dict[str, str]

    @property
    def paths(self) -> Paths:
        return Paths(self.home)

    def cli(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
        return twin_client.run_cli(self.env, *args, timeout=timeout, fail_with=ChaosError if check else None)

    def endpoints(self) -> dict[str, str]:
        return twin_client.exports(self.cli("env").stdout)

    def pipeline_env(self) -> dict[str, str]:
        return {**self.env, **self.endpoints(), "NODE_NO_WARNINGS": "1"}

    def record(self, service: str) -> ProcessRecord:
        record = processes.running_record(self.paths.pid_file(service))
        if record is None:
            raise ChaosError(f"{service} is not running in {self.home}: nothing to kill")
        return record

    def kill(self, service: str) -> int:
        """SIGKILL the service's recorded process (no clean shutdown); returns its pid once it is gone."""
        record = self.record(service)
        os.kill(record.pid, signal.SIGKILL)
        # The services are not our children (twin.py start detached them): wait until the kernel says gone.
        while processes.is_running(record):
            time.sleep(0.05)
        return record.pid

    def kill_with_children(self, service: str, first: Sequence[int] = ()) -> list[int]:
        """SIGKILL the service's recorded process and every process it forked, `first` before the rest;
        returns the pids killed (the recorded one after `first`) once all are gone. PostgreSQL's
        backends are the postmaster's children: killed alone, the postmaster leaves them running, and
        a backend whose lock wait ends could still finish its statement and commit before it notices
        the postmaster is gone."""
        record = self.record(service)
        # Stopped first, it forks nothing and reacts to nothing while its children are listed and killed
        # (a dead parent's children are re-parented and no longer found), and it dies last: a backend
        # that saw it die before its own SIGKILL came would still run its exit path.
        os.kill(record.pid, signal.SIGSTOP)
        for pid in first:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        children = [pid for pid in children_of(record.pid) if pid not in first]
        victims = [*first, record.pid, *children]
        doomed = [ProcessRecord(service, pid, ticks) for pid in victims if (ticks := start_ticks_of(pid))]
        for pid in [*children, record.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        while any(processes.is_running(process) for process in doomed):
            time.sleep(0.05)
        return victims

    def restart(self, service: str) -> None:
        """`twin.py start <service>` until it is ready again (the dead pid file is replaced)."""
        last = ""
        for _ in range(RESTART_ATTEMPTS):
            result = self.cli("start", service, check=False)
            if result.returncode == 0:
                return
            last = result.stdout + result.stderr
            time.sleep(RESTART_PAUSE_SECONDS)
        raise ChaosError(f"{service} did not start again after {RESTART_ATTEMPTS} attempts:\n{last}")

    def bucket_dir(self, zone: str) -> Path:
        """s3proxy's filesystem store keeps each bucket as a folder of plain files."""
        return self.home / "data" / "s3" / BUCKETS[zone]

    @property
    def sftp_layout(self) -> SftpLayout:
        return SftpLayout(self.paths)

    def upload(self, files: Sequence[Path]) -> None:
        """Uploads through the real SFTP server under a name the source ignores, then renames."""
        batch = []
        for file in files:
            batch += [f"put {file} {file.name}.part", f"rename {file.name}.part {file.name}"]
        port = int(self.env["TWIN_SFTP_PORT"])
        result = subprocess.run(
            sftp_client_command(self.sftp_layout, port),
            input="\n".join(batch) + "\n",
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            raise ChaosError(
                f"sftp upload of {', '.join(f.name for f in files)} failed: {result.stderr.strip()}"
            )

    def pipeline(self, result_file: Path, *args: str) -> subprocess.Popen[str]:
        """`run-pipeline.ts <args> --json <result_file>` started in the background, output to a log."""
        log = (self.home / "logs" / "chaos-pipeline.log").open("a")
        return subprocess.Popen(
            [str(TSX), str(RUN_PIPELINE), *args, "--json", str(result_file)],
            env=self.pipeline_env(),
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own process group: an interrupted chaos run stops the pipeline's Spark jobs with it.
            start_new_session=True,
        )


def parent_of(pid: int) -> int | None:
    fields = proc_stat(pid)
    return int(fields[1]) if fields else None


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (direct children only)."""
    numbers = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return [number for number in numbers if parent_of(number) == pid]


@contextmanager
def fresh_twin(keep: bool = False, partitions: int | None = None) -> Iterator[Twin]:
    """Starts every service in a new state directory on free ports, deploys the connectors (the topic
    with `partitions`, default the twin's); stops exactly what it started afterwards and deletes the
    directory (unless `keep`)."""
    twin = Twin(*twin_client.fresh_home("twin-chaos-"))
    try:
        twin.cli("start")
        twin.cli(
            "connectors", *([] if partitions is None else ["--partitions", str(partitions)]), timeout=300
        )
        yield twin
    finally:
        twin.cli("stop", timeout=300, check=False)
        if not keep:
            shutil.rmtree(twin.home, ignore_errors=True)
