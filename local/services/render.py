"""Runs connectors/render-local.ts, which renders the connector configs and the worker properties from
connectors/connector-config.ts (the same functions the CDK app feeds to MSK Connect), with the local
endpoints filled in. Secrets are passed as config-provider references, never as values: the SFTP key as
`dir:<key dir>:id_rsa` (Kafka's DirectoryConfigProvider), the S3 demo keys as `env:AWS_*` (the Connect
worker's environment).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from services.processes import TwinError
from services.servers.sftp import SftpLayout, sftp_user
from services.settings import BUCKETS, REPO_ROOT, S3_REGION, Paths

RENDER_SCRIPT = REPO_ROOT / "connectors" / "render-local.ts"


@dataclass(frozen=True)
class RenderedConnector:
    kind: str
    name: str
    config: dict[str, str]


@dataclass(frozen=True)
class Rendered:
    worker_properties: str
    connectors: list[RenderedConnector]

    def topics(self) -> list[str]:
        """Every topic a connector reads or writes (source `topic`, sink `topics`)."""
        found: set[str] = set()
        for connector in self.connectors:
            found.update(filter(None, [connector.config.get("topic", "")]))
            found.update(filter(None, connector.config.get("topics", "").split(",")))
        return sorted(topic.strip() for topic in found)


def render(paths: Paths, ports: dict[str, int]) -> Rendered:
    if not RENDER_SCRIPT.is_file():
        raise TwinError(
            f"{RENDER_SCRIPT} not found: it renders the connector configs (connectors/ provides it)."
        )
    layout = SftpLayout(paths)
    out_dir = paths.conf / "connectors"
    arguments = [
        "--out", str(out_dir),
        "--bootstrap", f"127.0.0.1:{ports['kafka']}",
        "--rest-port", str(ports["connect"]),
        "--plugin-path", str(paths.plugins),
        "--sftp-host", "127.0.0.1",
        "--sftp-port", str(ports["sftp"]),
        "--sftp-user", sftp_user(),
        "--sftp-private-key", f"dir:{layout.client_key.parent}:{layout.client_key.name}",
        "--sftp-host-key-fingerprint", ",".join(layout.host_key_fingerprints()),
        "--input-dir", str(layout.drop_dir),
        "--processed-dir", str(layout.processed_dir),
        "--bucket", BUCKETS["raw"],
        "--region", S3_REGION,
        "--s3-endpoint", f"http://127.0.0.1:{ports['s3']}",
        "--s3-access-key-id", "env:AWS_ACCESS_KEY_ID",
        "--s3-secret-access-key", "env:AWS_SECRET_ACCESS_KEY",
    ]  # fmt: skip
    result = subprocess.run(
        ["npx", "--no-install", "tsx", str(RENDER_SCRIPT), *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    if result.returncode != 0:
        raise TwinError(f"connectors/render-local.ts failed (exit {result.returncode}):\n{result.stderr}")
    try:
        listing = json.loads(result.stdout)
        connectors = []
        for entry in listing:
            body = json.loads(Path(entry["rest"]).read_text())
            connectors.append(RenderedConnector(str(entry["kind"]), str(body["name"]), dict(body["config"])))
    except (ValueError, KeyError, TypeError, OSError) as error:
        raise TwinError(
            f"unexpected output of connectors/render-local.ts ({error}):\n{result.stdout}"
        ) from error
    return Rendered((out_dir / "worker.properties").read_text(), connectors)
