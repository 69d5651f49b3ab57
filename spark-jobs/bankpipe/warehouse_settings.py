"""Turn job arguments into load settings and the warehouse login (shared by both entry points).

Pure functions, so the Glue entry point's argument handling is tested without awsglue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from bankpipe.warehouse_credentials import WAREHOUSE_KINDS, DbCredentials, WarehouseKind, WarehouseLogin
from bankpipe.warehouse_jdbc import JdbcTarget
from bankpipe.warehouse_load import LoadOptions, parse_dates


def warehouse_login_from_args(args: Mapping[str, str]) -> WarehouseLogin:
    """--redshift_kind, --redshift_database and the workgroup or cluster -> WarehouseLogin."""
    kind = (args.get("redshift_kind") or "").strip()
    if kind not in WAREHOUSE_KINDS:
        raise ValueError(f"--redshift_kind must be one of {', '.join(WAREHOUSE_KINDS)}, got {kind!r}")
    database = (args.get("redshift_database") or "").strip()
    if not database:
        raise ValueError("--redshift_database <database name> is required")
    workgroup = (args.get("redshift_workgroup") or "").strip() or None
    cluster = (args.get("redshift_cluster_id") or "").strip() or None
    if kind == "serverless" and not workgroup:
        raise ValueError("--redshift_kind serverless needs --redshift_workgroup <workgroup name>")
    if kind == "provisioned" and not cluster:
        raise ValueError("--redshift_kind provisioned needs --redshift_cluster_id <cluster identifier>")
    return WarehouseLogin(
        kind=cast(WarehouseKind, kind),
        database=database,
        workgroup_name=workgroup,
        cluster_identifier=cluster,
    )


def target_from_credentials(jdbc_url: str | None, credentials: DbCredentials) -> JdbcTarget:
    """JDBC target: the warehouse URL and the job's temporary login."""
    url = (jdbc_url or "").strip()
    if not url.startswith("jdbc:"):
        raise ValueError(f"--redshift_jdbc_url must look like jdbc:redshift://host:5439/db, got {url!r}")
    return JdbcTarget(url=url, user=credentials.user, password=credentials.password)


def parse_bool(text: str | None, name: str, default: bool) -> bool:
    if text is None or not text.strip():
        return default
    value = text.strip().lower()
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    raise ValueError(f"--{name} must be true or false, got {text!r}")


def parse_positive_int(text: str | None, name: str, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"--{name} must be a whole number, got {text!r}") from None
    if value < 1:
        raise ValueError(f"--{name} must be at least 1, got {value}")
    return value


def present_options(argv: Sequence[str], names: Sequence[str]) -> list[str]:
    """The optional Glue arguments actually passed (getResolvedOptions fails on absent ones)."""
    passed = {arg[2:].split("=", 1)[0] for arg in argv if arg.startswith("--")}
    return [name for name in names if name in passed]


def load_options_from_args(args: Mapping[str, str]) -> LoadOptions:
    """Glue job arguments -> LoadOptions. Empty strings mean 'not set' (Step Functions passes them so)."""
    run_id = (args.get("run_id") or "").strip() or None
    return LoadOptions(
        dates=parse_dates(args.get("dates")),
        run_id=run_id,
        refresh_reports=parse_bool(
            args.get("refresh_reports"), "refresh_reports", LoadOptions.refresh_reports
        ),
        batch_size=parse_positive_int(args.get("batch_size"), "batch_size", LoadOptions.batch_size),
        write_partitions=parse_positive_int(
            args.get("write_partitions"), "write_partitions", LoadOptions.write_partitions
        ),
    )
