"""PostgreSQL 15 (Debian's binaries), the Redshift stand-in.

initdb runs once into data/pg; the server listens on 127.0.0.1 only (default port 5433, so a system
server on 5432 is never touched) with its unix socket under run/pg. PostgreSQL refuses to run as
root, so when the twin runs as root the server runs as the `postgres` OS user.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
from pathlib import Path

from services.processes import TwinError
from services.servers.base import Service
from services.settings import PG_BIN_DIR, PG_DATABASE, PG_PASSWORD, PG_USER, Paths

OS_USER = "postgres"


def _os_user() -> str | None:
    return OS_USER if os.geteuid() == 0 else None


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(OS_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


class PostgresService(Service):
    name = "postgres"
    description = "PostgreSQL 15 (Redshift)"
    port_keys = ("postgres",)
    ready_timeout_seconds = 60.0
    stop_signal = signal.SIGINT  # "fast" shutdown: roll back open transactions, then a clean checkpoint

    def _binary(self, name: str) -> str:
        binary = PG_BIN_DIR / name
        if not binary.is_file():
            raise TwinError(
                f"{binary} not found: install PostgreSQL 15 (apt-get install -y postgresql-15) "
                "or set PG_BIN_DIR to its bin directory."
            )
        return str(binary)

    def _socket_dir(self, paths: Paths) -> Path:
        return paths.run / "pg"

    def _data_dir(self, paths: Paths) -> Path:
        return paths.data / "pg"

    def run_as_user(self) -> str | None:
        return _os_user()

    def prepare(self, paths: Paths, ports: dict[str, int]) -> None:
        socket_dir = self._socket_dir(paths)
        socket_dir.mkdir(parents=True, exist_ok=True)
        _chown_to_server_user(socket_dir)
        if (self._data_dir(paths) / "PG_VERSION").exists():
            return
        data_dir = self._data_dir(paths)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        _chown_to_server_user(data_dir)
        password_file = paths.conf / "pg-password"
        password_file.write_text(PG_PASSWORD + "\n")
        password_file.chmod(0o600)
        _chown_to_server_user(password_file)
        command = [
            self._binary("initdb"),
            "-D",
            str(self._data_dir(paths)),
            "-U",
            PG_USER,
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, user=_os_user())
        password_file.unlink()
        with paths.log_file(self.name).open("a") as log:
            log.write(result.stdout + result.stderr)
        if result.returncode != 0:
            raise TwinError(f"initdb failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")

    def command(self, paths: Paths, ports: dict[str, int]) -> list[str]:
        return [
            self._binary("postgres"),
            "-D",
            str(self._data_dir(paths)),
            "-c",
            "listen_addresses=127.0.0.1",
            "-p",
            str(ports["postgres"]),
            "-c",
            f"unix_socket_directories={self._socket_dir(paths)}",
            "-c",
            "TimeZone=UTC",
            "-c",
            "max_connections=40",
            "-c",
            "shared_buffers=64MB",
        ]

    def not_ready_reason(self, paths: Paths, ports: dict[str, int]) -> str | None:
        probe = subprocess.run(
            [self._binary("pg_isready"), "-h", "127.0.0.1", "-p", str(ports["postgres"]), "-t", "2"],
            capture_output=True,
            text=True,
            check=False,
        )
        return None if probe.returncode == 0 else f"pg_isready: {probe.stdout.strip() or probe.returncode}"

    def _psql(self, paths: Paths, port: int, sql: str) -> str:
        result = subprocess.run(
            [
                self._binary("psql"),
                "-h",
                str(self._socket_dir(paths)),
                "-p",
                str(port),
                "-U",
                PG_USER,
                "-d",
                "postgres",
                "-tAX",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
            user=_os_user(),
        )
        if result.returncode != 0:
            raise TwinError(f"psql failed: {sql}\n{result.stderr}")
        return result.stdout.strip()

    def after_ready(self, paths: Paths, ports: dict[str, int]) -> None:
        port = ports["postgres"]
        if self._psql(paths, port, f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'") != "1":
            self._psql(paths, port, f"CREATE DATABASE {PG_DATABASE}")
