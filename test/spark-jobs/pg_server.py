"""A throwaway PostgreSQL 15 server for tests (the local stand-in for Redshift).

`pg_server` is a pytest session fixture: it runs initdb in a temp dir, starts the server on a free
127.0.0.1 port with its unix socket inside that temp dir, waits with pg_isready, and stops and removes
everything when the session ends. Tests import it (`from pg_server import pg_server`) and take a fresh
database each with `pg_server.create_database(name)`.

PostgreSQL refuses to run as root, so when the tests run as root the binaries run as the `postgres`
OS user (runuser) on a temp dir owned by that user.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_DIR = Path(os.environ.get("PG_BIN_DIR", "/usr/lib/postgresql/15/bin"))
PG_BINARIES = ("initdb", "pg_ctl", "pg_isready")
SUPERUSER = "postgres"
READY_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    database: str = "postgres"

    def conninfo(self) -> str:
        """libpq/psycopg connection string."""
        return (
            f"host={self.host} port={self.port} user={self.user} password={self.password} "
            f"dbname={self.database}"
        )

    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.database}"

    def create_database(self, name: str) -> PgServer:
        """Create (or recreate) a database so each test module starts clean; returns a handle to it."""
        import psycopg

        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name {name!r}: use letters, digits and underscores only")
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        return PgServer(self.host, self.port, self.user, self.password, name)


def missing_binaries(bin_dir: Path = PG_BIN_DIR) -> list[str]:
    return [name for name in PG_BINARIES if not (bin_dir / name).is_file()]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres_user(command: Sequence[str]) -> list[str]:
    # PostgreSQL will not start as root; everyone else runs the binaries as themselves.
    if os.geteuid() == 0:
        return ["runuser", "-u", SUPERUSER, "--", *command]
    return list(command)


def _run(command: Sequence[str], what: str) -> None:
    result = subprocess.run(_as_postgres_user(command), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


def _wait_until_ready(port: int, socket_dir: Path, log_file: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        probe = subprocess.run(
            [str(PG_BIN_DIR / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-t", "2"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return
        # Exit 2 = no response yet (still starting); keep polling briefly instead of a fixed sleep.
        time.sleep(0.1)
    log = log_file.read_text() if log_file.exists() else "(no log)"
    raise RuntimeError(
        f"PostgreSQL on 127.0.0.1:{port} not ready after {READY_TIMEOUT_SECONDS}s; log:\n{log}"
    )


class PgCluster:
    """Owns the data dir and the server process; `start()` then `stop()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="bankpipe-pg-"))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.log_file = self.root / "server.log"
        self.password = secrets.token_hex(12)
        self.port = 0

    def start(self) -> PgServer:
        self.socket_dir.mkdir()
        password_file = self.root / "pwfile"
        password_file.write_text(self.password + "\n")
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SUPERUSER)
            for path in (self.root, self.socket_dir, password_file):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        _run(
            [
                str(PG_BIN_DIR / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                f"--pwfile={password_file}",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            "initdb",
        )
        self.port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=40 "
            "-c TimeZone=UTC"
        )
        _run(
            [
                str(PG_BIN_DIR / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                options,
                "-W",
                "start",
            ],
            "pg_ctl start",
        )
        _wait_until_ready(self.port, self.socket_dir, self.log_file)
        return PgServer("127.0.0.1", self.port, SUPERUSER, self.password)

    def stop(self) -> None:
        if self.data_dir.exists():
            subprocess.run(
                _as_postgres_user(
                    [str(PG_BIN_DIR / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    missing = missing_binaries()
    if missing:
        pytest.skip(
            f"PostgreSQL 15 binaries not found in {PG_BIN_DIR} (missing: {', '.join(missing)}); "
            "install Debian package postgresql-15 (or set PG_BIN_DIR) to run the warehouse tests"
        )
    cluster = PgCluster()
    try:
        server = cluster.start()
    except Exception:
        cluster.stop()
        raise
    try:
        yield server
    finally:
        cluster.stop()
