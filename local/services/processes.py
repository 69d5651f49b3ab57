"""Process bookkeeping: start a service detached with its own log, remember exactly which process it is,
stop only that process, and wait for readiness by polling real checks (never a fixed sleep).

A pid file is JSON: pid, the kernel start time of that pid (so a recycled pid is never mistaken for
ours), the ports, the command line. `stop` signals a pid only when both still match.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

POLL_INTERVAL_SECONDS = 0.25


class TwinError(Exception):
    """A failure with a message that tells the user what went wrong and what to do."""


@dataclass(frozen=True)
class ProcessRecord:
    service: str
    pid: int
    start_ticks: int
    ports: dict[str, int] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)

    def write(self, pid_file: Path) -> None:
        pid_file.write_text(json.dumps(self.__dict__, indent=2) + "\n")

    @staticmethod
    def read(pid_file: Path) -> ProcessRecord | None:
        try:
            raw = json.loads(pid_file.read_text())
            return ProcessRecord(
                service=str(raw["service"]),
                pid=int(raw["pid"]),
                start_ticks=int(raw["start_ticks"]),
                ports={str(k): int(v) for k, v in raw.get("ports", {}).items()},
                command=[str(part) for part in raw.get("command", [])],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (the first is the state), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after its closing ')'.
    return stat[stat.rindex(")") + 2 :].split()


def start_ticks_of(pid: int) -> int | None:
    fields = proc_stat(pid)
    return int(fields[19]) if fields else None  # field 22 of /proc/<pid>/stat: start time in ticks


def is_running(record: ProcessRecord) -> bool:
    """True while the recorded process exists, is the same process (same start time), and is no zombie."""
    fields = proc_stat(record.pid)
    if fields is None:
        return False
    state, ticks = fields[0], int(fields[19])
    return ticks == record.start_ticks and state not in ("Z", "X")


def running_record(pid_file: Path) -> ProcessRecord | None:
    record = ProcessRecord.read(pid_file)
    return record if record is not None and is_running(record) else None


def port_is_free(port: int) -> bool:
    """Binds like a server does (SO_REUSEADDR, so TIME_WAIT leftovers do not count) on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def port_accepts(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def spawn(
    service: str,
    command: Sequence[str],
    log_file: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> subprocess.Popen[bytes]:
    """Starts `command` in its own session (a Ctrl-C of the caller does not reach it), output to the log."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        banner = f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {service}: {' '.join(command)}\n"
        log.write(banner.encode())
        log.flush()
        return subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=user,
        )


def record_for(service: str, process: subprocess.Popen[bytes], ports: dict[str, int]) -> ProcessRecord:
    ticks = start_ticks_of(process.pid)
    if ticks is None:
        raise TwinError(f"{service} exited immediately after start (pid {process.pid})")
    return ProcessRecord(service, process.pid, ticks, ports, [str(arg) for arg in process.args])  # type: ignore[union-attr]


def log_tail(log_file: Path, lines: int = 40) -> str:
    try:
        content = log_file.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(content[-lines:])


def wait_until(
    what: str,
    check: Callable[[], str | None],
    timeout_seconds: float,
    log_file: Path,
    process: subprocess.Popen[bytes] | None = None,
    record: ProcessRecord | None = None,
) -> None:
    """Polls `check` (None = ready, else a reason) until ready; fails early if the process died."""
    deadline = time.monotonic() + timeout_seconds
    reason = "not checked yet"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise TwinError(
                f"{what} exited with code {process.returncode} before it was ready. "
                f"Last lines of {log_file}:\n{log_tail(log_file)}"
            )
        if record is not None and not is_running(record):
            raise TwinError(
                f"{what} (pid {record.pid}) is no longer running. "
                f"Last lines of {log_file}:\n{log_tail(log_file)}"
            )
        reason = check() or ""
        if not reason:
            return
        time.sleep(POLL_INTERVAL_SECONDS)
    raise TwinError(
        f"{what} not ready after {timeout_seconds:.0f}s (last check: {reason}). Last lines of {log_file}:\n"
        + log_tail(log_file)
    )


def stop(record: ProcessRecord, stop_signal: int = signal.SIGTERM, grace_seconds: float = 30.0) -> bool:
    """Stops exactly the recorded process: signal, wait, SIGKILL after the grace period.

    Returns False when it was not running (nothing was signalled)."""
    if not is_running(record):
        return False
    try:
        os.kill(record.pid, stop_signal)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        _reap(record.pid)
        if not is_running(record):
            return True
        time.sleep(POLL_INTERVAL_SECONDS)
    os.kill(record.pid, signal.SIGKILL)
    while is_running(record):
        _reap(record.pid)
        time.sleep(POLL_INTERVAL_SECONDS)
    return True


def _reap(pid: int) -> None:
    """Collects the exit status when the process is our own child (else it is not ours to reap)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
