"""moto's server (the venv's `moto_server`), standing in for DynamoDB and SNS on the live fraud-alerts path.

On every start it creates what the alerts stack creates on AWS, idempotently: the card-state and alert
tables with the key and TTL attribute of contracts/live-alert-tables.json (the file the CDK construct
reads too) and the analysts' fraud-alerts topic. The alerts archive is not here: it goes to the S3
stand-in (s3proxy), into the processed bucket, as on AWS.

It runs moto's own server through moto_launcher.py, whose one change makes a DynamoDB transaction cost
what it costs on AWS (see there).

moto keeps everything in memory. A restart of this service loses the card histories, the alert records
and the record of what SNS published; the tables and topic come back empty. The consumer's offsets live
in Kafka, so it resumes where it was: alerts raised before the restart are not raised again (their
records are not read again), but a pattern that spans the restart (history lost) is not flagged, and a
record replayed after the restart may raise an alert a second time (its id record is gone).

twin.py runs with the standard library only, so the set-up calls below are plain HTTP: moto answers
without checking signatures; the Authorization header only names the service and region, as SigV4 does.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from services.processes import TwinError
from services.servers.base import Service
from services.settings import REPO_ROOT, S3_ACCESS_KEY, S3_REGION, Paths

MOTO_SERVER = REPO_ROOT / ".local" / "venv" / "bin" / "moto_server"
# moto's server with the twin's one change to its DynamoDB (see the launcher), on the venv's Python.
MOTO_PYTHON = MOTO_SERVER.parent / "python"
MOTO_LAUNCHER = Path(__file__).with_name("moto_launcher.py")
TABLE_SHAPES_FILE = REPO_ROOT / "contracts" / "live-alert-tables.json"
# moto's account when the access key is not one of its own (the twin's demo key is not).
MOTO_ACCOUNT_ID = "123456789012"

# The live path's resources on the twin, by role (the keys of contracts/live-alert-tables.json).
LIVE_ALERT_TABLES: dict[str, str] = {"state": "bankpipe-live-card-state", "alerts": "bankpipe-live-alerts"}
FRAUD_ALERTS_TOPIC = "bankpipe-fraud-alerts"

_DYNAMODB_API = "DynamoDB_20120810"
_REQUEST_TIMEOUT_SECONDS = 10


def fraud_alerts_topic_arn() -> str:
    return f"arn:aws:sns:{S3_REGION}:{MOTO_ACCOUNT_ID}:{FRAUD_ALERTS_TOPIC}"


def moto_environment(port: int) -> dict[str, str]:
    """How the live-alerts consumer (and any AWS SDK) reaches the tables and topic on this server."""
    endpoint = f"http://127.0.0.1:{port}"
    return {
        "TWIN_MOTO_ENDPOINT": endpoint,
        # Service-specific endpoints only: S3 stays on s3proxy, every other service on its default.
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "AWS_ENDPOINT_URL_SNS": endpoint,
        "TWIN_LIVE_STATE_TABLE": LIVE_ALERT_TABLES["state"],
        "TWIN_LIVE_ALERTS_TABLE": LIVE_ALERT_TABLES["alerts"],
        "TWIN_FRAUD_ALERTS_TOPIC_ARN": fraud_alerts_topic_arn(),
    }


def table_shapes(source: Path = TABLE_SHAPES_FILE) -> dict[str, tuple[str, str]]:
    """(partition key, TTL attribute) of each table role, with an error naming what is wrong."""
    try:
        document = json.loads(source.read_text())
    except (OSError, ValueError) as error:
        raise TwinError(f"cannot read the live-alert table shapes from {source}: {error}") from error
    shapes = {}
    for role in LIVE_ALERT_TABLES:
        entry = document.get(role) if isinstance(document, dict) else None
        key = entry.get("partitionKey") if isinstance(entry, dict) else None
        ttl = entry.get("ttlAttribute") if isinstance(entry, dict) else None
        if not (isinstance(key, str) and key and isinstance(ttl, str) and ttl):
            raise TwinError(
                f"{source}: '{role}' needs a non-empty partitionKey and ttlAttribute (strings); "
                f"it is {json.dumps(entry)}"
            )
        shapes[role] = (key, ttl)
    return shapes


class MotoApi:
    """The few DynamoDB and SNS calls the service makes at start."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/"

    def _call(self, service: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url, data=body, method="POST")
        scope = f"20240101/{S3_REGION}/{service}/aws4_request"
        credential = f"Credential={S3_ACCESS_KEY}/{scope}"
        request.add_header("Authorization", f"AWS4-HMAC-SHA256 {credential}, SignedHeaders=host, Signature=0")
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=_REQUEST_TIMEOUT_SECONDS) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()

    def dynamodb(self, action: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, body = self._call(
            "dynamodb",
            json.dumps(payload).encode(),
            {"X-Amz-Target": f"{_DYNAMODB_API}.{action}", "Content-Type": "application/x-amz-json-1.0"},
        )
        return status, json.loads(body or b"{}")

    def sns(self, action: str, parameters: dict[str, str]) -> tuple[int, str]:
        form = urllib.parse.urlencode({"Action": action, "Version": "2010-03-31", **parameters}).encode()
        status, body = self._call("sns", form, {"Content-Type": "application/x-www-form-urlencoded"})
        return status, body.decode(errors="replace")


def _ensure_table(api: MotoApi, name: str, partition_key: str, ttl_attribute: str) -> None:
    status, answer = api.dynamodb(
        "CreateTable",
        {
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": partition_key, "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": partition_key, "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    if status != 200 and "ResourceInUseException" not in str(answer.get("__type")):
        raise TwinError(f"creating DynamoDB table {name} on moto failed: HTTP {status} {answer}")
    status, answer = api.dynamodb("DescribeTimeToLive", {"TableName": name})
    current = answer.get("TimeToLiveDescription", {})
    if current.get("TimeToLiveStatus") == "ENABLED" and current.get("AttributeName") == ttl_attribute:
        return
    status, answer = api.dynamodb(
        "UpdateTimeToLive",
        {"TableName": name, "TimeToLiveSpecification": {"Enabled": True, "AttributeName": ttl_attribute}},
    )
    if status != 200:
        raise TwinError(f"enabling TTL on {ttl_attribute} of table {name} failed: HTTP {status} {answer}")


def _ensure_topic(api: MotoApi) -> None:
    status, answer = api.sns("CreateTopic", {"Name": FRAUD_ALERTS_TOPIC})
    expected = fraud_alerts_topic_arn()
    if status != 200 or f"<TopicArn>{expected}</TopicArn>" not in answer:
        raise TwinError(
            f"creating SNS topic {FRAUD_ALERTS_TOPIC} on moto did not give {expected} "
            f"(HTTP {status}): {answer}"
        )


class MotoService(Service):
    name = "moto"
    description = "moto server, in memory (DynamoDB + SNS of the live alerts)"
    port_keys = ("moto",)
    ready_timeout_seconds = 60.0

    def command(self, paths: Paths, ports: dict[str, int]) -> list[str]:
        if not MOTO_SERVER.is_file():
            raise TwinError(
                f"{MOTO_SERVER} is missing: run `make setup` (moto[server] is pinned in requirements.txt)."
            )
        return [str(MOTO_PYTHON), str(MOTO_LAUNCHER), "-H", "127.0.0.1", "-p", str(ports["moto"])]

    def not_ready_reason(self, paths: Paths, ports: dict[str, int]) -> str | None:
        try:
            status, answer = MotoApi(ports["moto"]).dynamodb("ListTables", {})
        except (OSError, ValueError) as error:
            return f"DynamoDB ListTables failed: {error}"
        return None if status == 200 else f"DynamoDB ListTables answered HTTP {status}: {answer}"

    def after_ready(self, paths: Paths, ports: dict[str, int]) -> None:
        api = MotoApi(ports["moto"])
        for role, (partition_key, ttl_attribute) in table_shapes().items():
            _ensure_table(api, LIVE_ALERT_TABLES[role], partition_key, ttl_attribute)
        _ensure_topic(api)
