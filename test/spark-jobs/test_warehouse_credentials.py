"""Temporary warehouse credentials for the load job's IAM role (bankpipe.warehouse_credentials).

Provisioned: the real boto3 call against a local moto server (moto checks the cluster, the duration
range and botocore the parameter names). Serverless: moto has no GetCredentials, so botocore's
Stubber checks the exact request the job sends. Also: the names the job, the stack and the SQL use
for the loader agree.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bankpipe.warehouse_credentials import (
    CREDENTIALS_DURATION_SECONDS,
    LOADER_DB_GROUP,
    LOADER_DB_ROLE,
    LOADER_DB_USER,
    DbCredentials,
    WarehouseLogin,
    provisioned_credentials,
    temporary_credentials,
)
from fixtures.paths import REPO_ROOT

REGION = "eu-central-1"
MOTO_SERVER = Path(sys.executable).parent / "moto_server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _client(service: str, endpoint_url: str | None = None) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_provisioned_logs_in_as_the_loader_user_created_on_first_use(moto_endpoint: str) -> None:
    redshift = _client("redshift", moto_endpoint)
    redshift.create_cluster(
        ClusterIdentifier="dev-bankpipe",
        NodeType="ra3.xlplus",
        MasterUsername="bank_admin",
        MasterUserPassword="Admin-pw-1",
        DBName="bank",
    )

    credentials = provisioned_credentials(redshift, "dev-bankpipe", "bank")

    # AutoCreate=True: Redshift prefixes the user it returns with IAMA:.
    assert credentials.user == f"IAMA:{LOADER_DB_USER}"
    assert len(credentials.password) >= 16
    assert credentials.password not in repr(credentials)
    with pytest.raises(Exception, match="ClusterNotFound"):
        provisioned_credentials(redshift, "no-such-cluster", "bank")


def test_provisioned_request_names_the_user_the_group_and_autocreate() -> None:
    redshift = _client("redshift")
    with Stubber(redshift) as stub:
        stub.add_response(
            "get_cluster_credentials",
            {"DbUser": f"IAMA:{LOADER_DB_USER}", "DbPassword": "temp-pw"},
            {
                "DbUser": LOADER_DB_USER,
                "DbName": "bank",
                "ClusterIdentifier": "dev-bankpipe",
                "DbGroups": [LOADER_DB_GROUP],
                "AutoCreate": True,
                "DurationSeconds": CREDENTIALS_DURATION_SECONDS,
            },
        )
        credentials = provisioned_credentials(redshift, "dev-bankpipe", "bank")
    assert credentials == DbCredentials(f"IAMA:{LOADER_DB_USER}", "temp-pw")


def test_serverless_asks_for_the_callers_own_identity_on_the_workgroup() -> None:
    serverless = _client("redshift-serverless")
    with Stubber(serverless) as stub:
        stub.add_response(
            "get_credentials",
            {"dbUser": "IAMR:dev-load-job-role", "dbPassword": "temp-pw"},
            {"workgroupName": "dev-bankpipe", "dbName": "bank", "durationSeconds": 3600},
        )
        credentials = temporary_credentials(
            WarehouseLogin("serverless", "bank", workgroup_name="dev-bankpipe"),
            lambda service: serverless if service == "redshift-serverless" else None,
        )
        stub.assert_no_pending_responses()
    assert credentials == DbCredentials("IAMR:dev-load-job-role", "temp-pw")


def test_provisioned_login_goes_to_the_redshift_client() -> None:
    asked: list[str] = []

    class _Redshift:
        def get_cluster_credentials(self, **request: Any) -> dict[str, str]:
            asked.append(request["ClusterIdentifier"])
            return {"DbUser": "IAMA:x", "DbPassword": "pw"}

    def client_for(service: str) -> Any:
        assert service == "redshift", service
        return _Redshift()

    temporary_credentials(WarehouseLogin("provisioned", "bank", cluster_identifier="c1"), client_for)
    assert asked == ["c1"]


@pytest.mark.parametrize(
    ("login", "message"),
    [
        (WarehouseLogin("serverless", "bank"), "--redshift_workgroup"),
        (WarehouseLogin("provisioned", "bank"), "--redshift_cluster_id"),
    ],
)
def test_a_login_without_its_workgroup_or_cluster_is_explained(login: WarehouseLogin, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        temporary_credentials(login, lambda service: None)


def test_the_job_the_stack_and_the_sql_name_the_same_loader() -> None:
    construct = (REPO_ROOT / "lib" / "analytics" / "glue-load-job.ts").read_text(encoding="utf-8")

    def ts_constant(name: str) -> str:
        match = re.search(rf"export const {name} = '([^']+)';", construct)
        assert match, f"{name} not found in glue-load-job.ts"
        return match[1]

    assert ts_constant("LOADER_DB_USER") == LOADER_DB_USER
    assert ts_constant("LOADER_DB_GROUP") == LOADER_DB_GROUP
    assert ts_constant("LOADER_DB_ROLE") == LOADER_DB_ROLE

    sql_dir = REPO_ROOT / "sql" / "redshift"
    groups = (sql_dir / "002_groups.if-absent.sql").read_text(encoding="utf-8")
    assert re.search(rf"^CREATE GROUP {LOADER_DB_GROUP};$", groups, re.M)
    assert re.search(rf"^CREATE ROLE {LOADER_DB_ROLE};$", groups, re.M)
    # Every loader grant goes to both: the group (provisioned, PostgreSQL) and the role (serverless).
    grants = [
        line
        for path in sorted(sql_dir.glob("*.sql"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("GRANT") and LOADER_DB_GROUP in line
    ]
    assert len(grants) == 3
    for line in grants:
        assert line.endswith(f"TO GROUP {LOADER_DB_GROUP}, ROLE {LOADER_DB_ROLE};"), line
