"""Turn job arguments and the warehouse secret into load settings (shared by both entry points).

Pure functions, so the Glue entry point's argument handling is tested without awsglue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bankpipe.warehouse_jdbc import JdbcTarget
from bankpipe.warehouse_load import LoadOptions, parse_dates

REDSHIFT_DEFAULT_PORT = 5439


def parse_secret_string(text: str, secret_id: str = "the secret") -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{secret_id} is not JSON ({error.msg}); store the credentials as "
            '{"username": ..., "password": ..., "host": ..., "port": 5439, "dbname": ...}'
        ) from None
    if not isinstance(value, dict):
        raise ValueError(f"{secret_id} must hold a JSON object with username and password")
    return value


def target_from_secret(secret: Mapping[str, Any], jdbc_url: str | None = None) -> JdbcTarget:
    """JDBC target from a Redshift secret (the JSON shape CDK and Redshift generate).

    The URL comes from `jdbc_url` when given, else from the secret's host/port/dbname.
    """
    missing = [key for key in ("username", "password") if not secret.get(key)]
    if missing:
        raise ValueError(
            f"warehouse secret lacks {' and '.join(missing)}; it must be JSON with username and password "
            "(plus host, port, dbname unless --redshift_jdbc_url is passed)"
        )
    url = (jdbc_url or "").strip()
    if not url:
        host, dbname = secret.get("host"), secret.get("dbname")
        if not host or not dbname:
            raise ValueError(
                "warehouse secret has no host/dbname; pass --redshift_jdbc_url jdbc:redshift://host:5439/db "
                "or add host, port and dbname to the secret"
            )
        port = int(secret.get("port") or REDSHIFT_DEFAULT_PORT)
        url = f"jdbc:redshift://{host}:{port}/{dbname}"
    return JdbcTarget(url=url, user=str(secret["username"]), password=str(secret["password"]))


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
