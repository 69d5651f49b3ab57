"""Where everything lives and which ports and credentials the twin uses.

Every value has a default and an environment variable to change it. The state directory
(TWIN_HOME, default .local/twin) holds logs/, run/ (pid files), data/ (all service state, so a
stop + start loses nothing), conf/ (generated config files) and plugins/ (unpacked connector zips).
Tests point TWIN_HOME at a temporary directory and pick free ports so they never clash with a demo.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The jobs' reader of contracts/pipeline-layout.json, standard library only like the twin.
sys.path.insert(0, str(REPO_ROOT / "spark-jobs"))
from bankpipe.layout import pipeline_layout  # noqa: E402

# What drives a twin from outside it (tests, the chaos driver): its command line and the pipeline run.
TWIN_CLI = REPO_ROOT / "local" / "twin.py"
TSX = REPO_ROOT / "node_modules" / ".bin" / "tsx"
RUN_PIPELINE = REPO_ROOT / "local" / "pipeline" / "run-pipeline.ts"

# Demo credentials of the S3 stand-in. They only exist on this machine; AWS SDKs pick them up from
# the environment (see `twin.py env`). Path-style addressing, region us-east-1.
S3_ACCESS_KEY = "bankpipe-local"
S3_SECRET_KEY = "bankpipe-local-secret"  # a local demo credential, not a secret
S3_REGION = "us-east-1"

# Local bucket of each zone (docs/data-layout.md), `<slug>-<zone>` with the slug of the pipeline
# layout, e.g. bankpipe-raw. One definition; exported by `twin.py env`.
BUCKETS: dict[str, str] = {
    zone: f"{pipeline_layout().slug}-{zone.replace('_', '-')}"
    for zone in ("raw", "processed", "quarantine", "athena_results")
}

# PostgreSQL 15, the Redshift stand-in.
PG_USER = "postgres"
PG_PASSWORD = "bankpipe-local"  # a local demo credential
PG_DATABASE = "bankpipe"

# The OS account that logs in to the SFTP drop when the twin runs as root (else: the current user).
SFTP_SYSTEM_USER = "bankpipe-sftp"


@dataclass(frozen=True)
class PortSetting:
    service: str
    env_var: str
    default: int

    def value(self) -> int:
        raw = os.environ.get(self.env_var, "").strip()
        if not raw:
            return self.default
        if not raw.isdigit() or not 1 <= int(raw) <= 65535:
            raise SystemExit(f"{self.env_var}={raw!r} is not a TCP port: give a number from 1 to 65535.")
        return int(raw)


PORTS: dict[str, PortSetting] = {
    "sftp": PortSetting("sftp", "TWIN_SFTP_PORT", 2222),
    "kafka": PortSetting("kafka", "TWIN_KAFKA_PORT", 9092),
    "kafka_controller": PortSetting("kafka", "TWIN_KAFKA_CONTROLLER_PORT", 9093),
    "connect": PortSetting("connect", "TWIN_CONNECT_PORT", 8083),
    "s3": PortSetting("s3", "TWIN_S3_PORT", 9000),
    "postgres": PortSetting("postgres", "TWIN_PG_PORT", 5433),
    "moto": PortSetting("moto", "TWIN_MOTO_PORT", 5000),
}

# JVM heaps sized for a 2-core, shared machine.
HEAP = {
    "kafka": os.environ.get("TWIN_KAFKA_HEAP", "512m"),
    "connect": os.environ.get("TWIN_CONNECT_HEAP", "512m"),
    "s3": os.environ.get("TWIN_S3_HEAP", "256m"),
}

PG_BIN_DIR = Path(os.environ.get("PG_BIN_DIR", "/usr/lib/postgresql/15/bin"))
SSHD_BIN = Path(os.environ.get("TWIN_SSHD", "/usr/sbin/sshd"))  # sshd re-execs itself: absolute path
JARS_DIR = Path(os.environ.get("TWIN_JARS_DIR", str(REPO_ROOT / ".local" / "twin-jars")))
PLUGIN_ZIPS_DIR = Path(os.environ.get("TWIN_PLUGIN_ZIPS", str(REPO_ROOT / "connectors" / "dist")))


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def conf(self) -> Path:
        return self.home / "conf"

    @property
    def plugins(self) -> Path:
        return self.home / "plugins"

    @property
    def marker(self) -> Path:
        """Proves a directory is a twin home, so `clean` never deletes anything else."""
        return self.home / ".twin-home"

    @property
    def env_file(self) -> Path:
        return self.home / "twin.env"

    def log_file(self, service: str) -> Path:
        return self.logs / f"{service}.log"

    def pid_file(self, service: str) -> Path:
        return self.run / f"{service}.json"

    def create(self) -> None:
        for directory in (self.home, self.logs, self.run, self.data, self.conf, self.plugins):
            directory.mkdir(parents=True, exist_ok=True)
            # PostgreSQL and the SFTP user run as other OS users and must be able to walk down here.
            directory.chmod(0o755)
        self.marker.touch()


def twin_paths() -> Paths:
    home = os.environ.get("TWIN_HOME", "").strip()
    return Paths(Path(home).resolve() if home else REPO_ROOT / ".local" / "twin")


def java_binary() -> str:
    java_home = os.environ.get("JAVA_HOME", "").strip()
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise SystemExit("java not found: install Java 17 (Debian openjdk-17-jre-headless) or set JAVA_HOME.")
    return found


def jar_classpath(name: str) -> str:
    """The classpath of one module of local/jars (a `dir/*` wildcard the JVM expands)."""
    directory = JARS_DIR / name
    if not any(directory.glob("*.jar")):
        raise SystemExit(
            f"No jars in {directory}: fetch them once with `mvn -q -B -f local/jars/pom.xml package` "
            "(scripts/setup.sh does this)."
        )
    return f"{directory}/*"


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 now (all probes held open together, so none repeats)."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.bind(("127.0.0.1", 0))
            sockets.append(probe)
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()
