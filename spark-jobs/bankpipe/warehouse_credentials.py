"""Temporary warehouse credentials for the load job's own IAM identity (no stored password).

Each warehouse kind has its own AWS call, and each gives the login its load privileges differently
(sql/README.md, "Who the load logs in as"):

- serverless: `redshift-serverless:GetCredentials` maps the caller's IAM role to the database user
  `IAMR:<role name>`; Redshift Serverless grants that user the database roles named in the IAM
  role's `RedshiftDbRoles` tag (the stack tags the job role with the loader role).
- provisioned: `redshift:GetClusterCredentials` logs in as the fixed database user
  LOADER_DB_USER, created on first use (AutoCreate) and joined to the group LOADER_DB_GROUP for the
  session (DbGroups).

The functions take the boto3 client, so tests pass a stubbed or local one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

WarehouseKind = Literal["serverless", "provisioned"]
WAREHOUSE_KINDS: tuple[WarehouseKind, ...] = ("serverless", "provisioned")

# The names below are also in lib/analytics/glue-load-job.ts (IAM resources and tag) and in
# sql/redshift (the group and the role that hold the grants); test_warehouse_credentials.py checks
# that the three agree.
LOADER_DB_USER = "bank_loader_job"
LOADER_DB_GROUP = "bank_loader"
LOADER_DB_ROLE = "bank_loader_role"

# Both APIs accept 900..3600 s. A password is only checked when a connection opens, and the load
# opens its last one while it writes (well within the job's 60-minute timeout), so the maximum
# covers a slow run without a refresh.
CREDENTIALS_DURATION_SECONDS = 3600


@dataclass(frozen=True)
class WarehouseLogin:
    """Where and as whom the job asks for credentials (from the job arguments)."""

    kind: WarehouseKind
    database: str
    workgroup_name: str | None = None
    cluster_identifier: str | None = None


@dataclass(frozen=True)
class DbCredentials:
    user: str
    password: str = field(repr=False)


def serverless_credentials(
    client: Any, workgroup_name: str, database: str, duration_seconds: int = CREDENTIALS_DURATION_SECONDS
) -> DbCredentials:
    """GetCredentials for the caller's IAM identity (database user `IAMR:<role name>`)."""
    response = client.get_credentials(
        workgroupName=workgroup_name, dbName=database, durationSeconds=duration_seconds
    )
    return DbCredentials(user=response["dbUser"], password=response["dbPassword"])


def provisioned_credentials(
    client: Any,
    cluster_identifier: str,
    database: str,
    duration_seconds: int = CREDENTIALS_DURATION_SECONDS,
) -> DbCredentials:
    """GetClusterCredentials as LOADER_DB_USER, in group LOADER_DB_GROUP for the session."""
    response = client.get_cluster_credentials(
        DbUser=LOADER_DB_USER,
        DbName=database,
        ClusterIdentifier=cluster_identifier,
        DbGroups=[LOADER_DB_GROUP],
        AutoCreate=True,
        DurationSeconds=duration_seconds,
    )
    return DbCredentials(user=response["DbUser"], password=response["DbPassword"])


def temporary_credentials(login: WarehouseLogin, client_for: Any) -> DbCredentials:
    """Credentials for `login`; `client_for(service_name)` returns a boto3 client (boto3.client)."""
    if login.kind == "serverless":
        if not login.workgroup_name:
            raise ValueError("a serverless warehouse needs --redshift_workgroup <workgroup name>")
        return serverless_credentials(client_for("redshift-serverless"), login.workgroup_name, login.database)
    if not login.cluster_identifier:
        raise ValueError("a provisioned warehouse needs --redshift_cluster_id <cluster identifier>")
    return provisioned_credentials(client_for("redshift"), login.cluster_identifier, login.database)
