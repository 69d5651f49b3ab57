"""The Glue entry point, run for real against PostgreSQL with stand-ins for what only Glue has.

awsglue cannot run outside Glue, so small fakes provide getResolvedOptions (same contract: every
requested name must be passed, else an error), GlueContext (hands out the shared SparkSession) and
Job; Redshift Serverless is a fake boto3 client whose GetCredentials hands out a PostgreSQL login in
the loader role, as Redshift Serverless does for the job role. Everything after that is the real
entry point: argument names, the credential request, JDBC target and the load itself.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from bankpipe.warehouse_credentials import CREDENTIALS_DURATION_SECONDS
from bankpipe.warehouse_sql import PsycopgExecutor, apply_sql_dir
from pg_server import PgServer, pg_server  # noqa: F401  (session fixture)
from warehouse_fixtures import fixture_rows, write_processed

WORKGROUP = "dev-bankpipe"


def _get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
    parser = argparse.ArgumentParser()
    for name in names:
        parser.add_argument(f"--{name}", required=True)
    known, _ = parser.parse_known_args(argv[1:])
    return vars(known)


class _FakeGlueContext:
    def __init__(self, spark_context: Any) -> None:
        self.spark_session = SparkSession.builder.getOrCreate()


class _FakeJob:
    committed = False

    def __init__(self, glue_context: _FakeGlueContext) -> None:
        self.glue_context = glue_context

    def init(self, name: str, args: dict[str, str]) -> None:
        self.name = name

    def commit(self) -> None:
        _FakeJob.committed = True


class _FakeRedshiftServerless:
    """GetCredentials for one workgroup; records what it was asked."""

    def __init__(self, user: str, password: str) -> None:
        self.login = {"dbUser": user, "dbPassword": password}
        self.requests: list[dict[str, Any]] = []

    def get_credentials(self, **request: Any) -> dict[str, str]:
        self.requests.append(request)
        if request.get("workgroupName") != WORKGROUP:
            raise KeyError(f"ResourceNotFoundException: {request.get('workgroupName')}")
        return self.login


def _install_fakes(monkeypatch: pytest.MonkeyPatch, client: _FakeRedshiftServerless) -> None:
    awsglue = types.ModuleType("awsglue")
    modules = {
        "awsglue": awsglue,
        "awsglue.context": types.ModuleType("awsglue.context"),
        "awsglue.job": types.ModuleType("awsglue.job"),
        "awsglue.utils": types.ModuleType("awsglue.utils"),
        "boto3": types.ModuleType("boto3"),
    }
    modules["awsglue.context"].GlueContext = _FakeGlueContext  # type: ignore[attr-defined]
    modules["awsglue.job"].Job = _FakeJob  # type: ignore[attr-defined]
    modules["awsglue.utils"].getResolvedOptions = _get_resolved_options  # type: ignore[attr-defined]
    # Only the Redshift Serverless client exists: asking for Secrets Manager would fail the test.
    modules["boto3"].client = lambda service: client if service == "redshift-serverless" else None  # type: ignore[attr-defined]
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "glue_load_warehouse", raising=False)


@pytest.mark.postgres
def test_glue_entry_point_loads_with_temporary_credentials_of_the_loader_role(
    spark: SparkSession,
    pg_server: PgServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = pg_server.create_database("wh_glue")
    warehouse = PsycopgExecutor(database.conninfo())
    apply_sql_dir(warehouse)
    rows = fixture_rows()
    uri = write_processed(spark, rows, tmp_path / "processed")
    # The login GetCredentials returns: a user in the loader role and nothing more, as on AWS.
    warehouse.execute("DROP ROLE IF EXISTS wh_glue_job")
    warehouse.execute("CREATE ROLE wh_glue_job LOGIN PASSWORD 'temp-pw' IN ROLE bank_loader_role")
    serverless = _FakeRedshiftServerless("wh_glue_job", "temp-pw")
    _install_fakes(monkeypatch, serverless)
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "glue_load_warehouse.py",
            "--JOB_NAME", "bank-warehouse-load",
            "--processed_uri", uri,
            "--redshift_jdbc_url", database.jdbc_url(),
            "--redshift_kind", "serverless",
            "--redshift_database", "bank",
            "--redshift_workgroup", WORKGROUP,
            "--run_id", "run-2",
        ],
    )  # fmt: skip
    _FakeJob.committed = False

    importlib.import_module("glue_load_warehouse").main()

    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["warehouse_load"]
    run_2 = [r for r in rows if r["run_id"] == "run-2"]
    assert result["dates"] == sorted({r["txn_date"].isoformat() for r in run_2})
    assert result["rows_inserted"] == len(run_2)
    assert warehouse.query("SELECT COUNT(*) FROM banking.transactions") == [(len(run_2),)]
    assert _FakeJob.committed
    assert serverless.requests == [
        {"workgroupName": WORKGROUP, "dbName": "bank", "durationSeconds": CREDENTIALS_DURATION_SECONDS}
    ]


def test_glue_entry_point_needs_the_warehouse_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    _install_fakes(monkeypatch, _FakeRedshiftServerless("u", "p"))
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "glue_load_warehouse.py",
            "--JOB_NAME", "j",
            "--processed_uri", "s3://b/p",
            "--redshift_jdbc_url", "jdbc:redshift://h:5439/bank",
        ],
    )  # fmt: skip
    with pytest.raises(SystemExit):  # getResolvedOptions refuses a missing required argument
        importlib.import_module("glue_load_warehouse").main()
