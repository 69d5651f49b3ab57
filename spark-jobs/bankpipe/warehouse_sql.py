"""Apply the warehouse SQL files (sql/redshift/NNN_name.sql) in order, on Redshift or PostgreSQL 15.

Conventions (sql/README.md explains them for people; the tests enforce them):
- a file is named `NNN_name.sql` (three digits, lower-case snake name) and files run in NNN order;
- statements end with `;` at the end of a line (a `;` inside a line does not split);
- every statement is idempotent (IF NOT EXISTS, DROP ... IF EXISTS then CREATE), because the files run
  again at every deploy;
- a file named `NNN_name.redshift-only.sql` holds Redshift-only statements (table attributes such as
  DISTSTYLE/SORTKEY) and is skipped on PostgreSQL;
- a file named `NNN_name.if-absent.sql` holds only `CREATE GROUP name` / `CREATE ROLE name` statements:
  neither engine has IF NOT EXISTS for them, so each runs on its own and one whose group or role
  already exists is skipped;
- a grantee is written the Redshift way, `TO GROUP g` or `TO ROLE r`; PostgreSQL accepts the first
  and not the second, so on PostgreSQL the runner writes `TO ROLE r` as `TO r` (to_postgres_grantees).

Each other file is applied as one transaction, the same unit as one Redshift Data API
BatchExecuteStatement call, which is how the deploy-time custom resource runs them.

Command line (local twin):  python -m bankpipe.warehouse_sql --dsn "host=... dbname=..." [--dir sql/redshift]
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

Engine = Literal["redshift", "postgres"]
ENGINES: tuple[Engine, ...] = ("redshift", "postgres")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQL_DIR = REPO_ROOT / "sql" / "redshift"
REDSHIFT_ONLY_MARKER = ".redshift-only"
IF_ABSENT_MARKER = ".if-absent"
_FILE_NAME = re.compile(r"^(?P<order>\d{3})_[a-z0-9_]+(?P<kind>\.redshift-only|\.if-absent)?\.sql$")
_CREATE_GROUP_OR_ROLE = re.compile(r"^CREATE\s+(GROUP|ROLE)\s+[a-z_][a-z0-9_]*$", re.I)
_GRANT = re.compile(r"^GRANT\b", re.I)
_TO = re.compile(r"\bTO\b", re.I)
_ROLE_GRANTEE = re.compile(r"\bROLE\s+(?=[a-z_])", re.I)
# How both engines word "that group/role is there already" (PostgreSQL: role "x" already exists).
_ALREADY_EXISTS = re.compile(r"already exists", re.I)


class SqlExecutor(Protocol):
    """What the loader and the runner need from a database connection (JDBC, psycopg, ...)."""

    def execute(self, statement: str) -> None:
        """Run one statement in its own (auto-committed) transaction."""

    def query(self, statement: str) -> list[tuple[Any, ...]]:
        """Run one SELECT and return all rows."""

    def execute_in_transaction(self, statements: Sequence[str]) -> None:
        """Run the statements in one transaction: all commit or none do."""


@dataclass(frozen=True)
class SqlFile:
    path: Path
    order: int
    redshift_only: bool
    statements: tuple[str, ...]
    if_absent: bool = False

    @property
    def name(self) -> str:
        return self.path.name


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("--")


def split_statements(text: str, source: str = "<sql>") -> list[str]:
    """Split on `;` at the end of a line; drop comment-only chunks; the trailing `;` is removed."""
    statements: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            chunk = "\n".join(current).rstrip()[:-1].strip()
            current = []
            if any(not _is_comment_or_blank(part) for part in chunk.splitlines()):
                statements.append(chunk)
    if any(not _is_comment_or_blank(line) for line in current):
        raise ValueError(
            f"{source}: the last statement does not end with ';' at the end of a line; "
            "terminate every statement with ';' so the runner and the deploy-time custom resource split it"
        )
    return statements


def read_sql_file(path: Path) -> SqlFile:
    match = _FILE_NAME.match(path.name)
    if not match:
        raise ValueError(
            f"{path}: SQL file names must look like NNN_name.sql, NNN_name.redshift-only.sql or "
            "NNN_name.if-absent.sql (three digits, lower-case snake name); rename the file"
        )
    statements = split_statements(path.read_text(encoding="utf-8"), str(path))
    if not statements:
        raise ValueError(f"{path}: no SQL statement found; delete the file or add statements")
    if_absent = match["kind"] == IF_ABSENT_MARKER
    if if_absent:
        for statement in statements:
            code = " ".join(_without_comment_lines(statement).split())
            if not _CREATE_GROUP_OR_ROLE.match(code):
                raise ValueError(
                    f"{path}: an .if-absent.sql file holds only 'CREATE GROUP name' statements "
                    "(or 'CREATE ROLE name'), found "
                    f"{code[:80]!r}; move it to an ordinary NNN_name.sql file"
                )
    return SqlFile(
        path, int(match["order"]), match["kind"] == REDSHIFT_ONLY_MARKER, tuple(statements), if_absent
    )


def _without_comment_lines(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not _is_comment_or_blank(line))


def discover_sql_files(directory: Path = DEFAULT_SQL_DIR, engine: Engine = "postgres") -> list[SqlFile]:
    """All files of `directory` that run on `engine`, in the order they must be applied."""
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r} unknown; use one of {', '.join(ENGINES)}")
    if not directory.is_dir():
        raise FileNotFoundError(f"SQL directory {directory} not found; pass the repo's sql/redshift folder")
    files = [read_sql_file(path) for path in sorted(directory.glob("*.sql"))]
    seen: dict[int, str] = {}
    for sql_file in files:
        if sql_file.order in seen:
            raise ValueError(
                f"{sql_file.name} and {seen[sql_file.order]} share the number {sql_file.order:03d}; "
                "give each file its own number so the order is explicit"
            )
        seen[sql_file.order] = sql_file.name
    if engine == "redshift":
        return files
    return [
        replace(f, statements=tuple(to_postgres_grantees(s) for s in f.statements))
        for f in files
        if not f.redshift_only
    ]


def to_postgres_grantees(statement: str) -> str:
    """`GRANT ... TO GROUP g, ROLE r` -> `GRANT ... TO GROUP g, r`: PostgreSQL has no `ROLE` keyword
    before a grantee (a group is a role there). Other statements come back unchanged."""
    if not _GRANT.match(_without_comment_lines(statement).strip()):
        return statement
    grantees_start = [m.end() for m in _TO.finditer(statement)]
    if not grantees_start:
        return statement
    cut = grantees_start[-1]
    return statement[:cut] + _ROLE_GRANTEE.sub("", statement[cut:])


def create_if_absent(executor: SqlExecutor, statements: Sequence[str]) -> None:
    """Run each CREATE on its own; one failing because its object already exists is skipped."""
    for statement in statements:
        try:
            executor.execute(statement)
        except Exception as error:
            if not _ALREADY_EXISTS.search(str(error)):
                raise


def apply_sql_files(executor: SqlExecutor, files: Sequence[SqlFile]) -> list[str]:
    """Apply each file as one transaction (.if-absent files statement by statement), in order;
    returns the names applied."""
    applied: list[str] = []
    for sql_file in files:
        try:
            if sql_file.if_absent:
                create_if_absent(executor, sql_file.statements)
            else:
                executor.execute_in_transaction(sql_file.statements)
        except Exception as error:
            raise RuntimeError(f"applying {sql_file.name} failed: {error}") from error
        applied.append(sql_file.name)
    return applied


def apply_sql_dir(
    executor: SqlExecutor, directory: Path = DEFAULT_SQL_DIR, engine: Engine = "postgres"
) -> list[str]:
    return apply_sql_files(executor, discover_sql_files(directory, engine))


class PsycopgExecutor:
    """SqlExecutor over psycopg 3 (tests and the local twin; not used on Glue)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo

    def _connect(self, autocommit: bool) -> Any:
        import psycopg  # imported here: Glue has no psycopg and never uses this class

        return psycopg.connect(self._conninfo, autocommit=autocommit)

    def execute(self, statement: str) -> None:
        with self._connect(autocommit=True) as conn:
            conn.execute(statement)

    def query(self, statement: str) -> list[tuple[Any, ...]]:
        with self._connect(autocommit=True) as conn:
            return list(conn.execute(statement).fetchall())

    def execute_in_transaction(self, statements: Sequence[str]) -> None:
        with self._connect(autocommit=False) as conn, conn.transaction():
            for statement in statements:
                conn.execute(statement)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Apply sql/redshift/NNN_*.sql to PostgreSQL (local twin)")
    parser.add_argument("--dsn", required=True, help="libpq connection string, e.g. 'host=127.0.0.1 ...'")
    parser.add_argument("--dir", type=Path, default=DEFAULT_SQL_DIR, help="folder of NNN_*.sql files")
    args = parser.parse_args(argv)
    for name in apply_sql_dir(PsycopgExecutor(args.dsn), args.dir, "postgres"):
        print(f"applied {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
