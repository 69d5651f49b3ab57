"""What drives a twin from outside it (the tests' harness, the chaos driver) does the same way: a
fresh state directory on free ports, the twin's command line (local/twin.py) in a subprocess, the
endpoints it exports, and a connection to its warehouse.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

from services.settings import PORTS, TWIN_CLI, free_ports


def fresh_home(prefix: str) -> tuple[Path, dict[str, str]]:
    """A new state directory and the environment of a twin in it, every port (each service's
    TWIN_*_PORT) a free one, so a running demo twin or another test's twin is never disturbed."""
    # Not a private temp dir (pytest's tmp_path is 0700): PostgreSQL and the SFTP user run as other
    # OS users that must reach their data.
    home = Path(tempfile.mkdtemp(prefix=prefix))
    home.chmod(0o755)
    variables = [setting.env_var for setting in PORTS.values()]
    ports = map(str, free_ports(len(variables)))
    return home, {**os.environ, "TWIN_HOME": str(home), **dict(zip(variables, ports, strict=True))}


def run_cli(
    env: dict[str, str], *args: str, timeout: float, fail_with: type[Exception] | None
) -> subprocess.CompletedProcess[str]:
    """`twin.py <args>` for the twin of `env`, output captured; a failed command raises `fail_with`
    (with the command and its output) unless that is None."""
    result = subprocess.run(
        [sys.executable, str(TWIN_CLI), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if fail_with is not None and result.returncode != 0:
        raise fail_with(
            f"twin.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def exports(env_output: str) -> dict[str, str]:
    """The `export NAME='value'` lines `twin.py env` prints, as a dict."""
    lines = env_output.splitlines()
    pairs = (line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
    return {key: value.strip("'") for key, value in pairs}


def warehouse_connection(env: dict[str, str], autocommit: bool = False) -> psycopg.Connection:
    """The twin's PostgreSQL warehouse, from the TWIN_PG_* variables of its environment."""
    return psycopg.connect(
        host=env["TWIN_PG_HOST"],
        port=int(env["TWIN_PG_PORT"]),
        user=env["TWIN_PG_USER"],
        password=env["TWIN_PG_PASSWORD"],
        dbname=env["TWIN_PG_DATABASE"],
        autocommit=autocommit,
    )
