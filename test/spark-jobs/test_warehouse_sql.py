"""The SQL files and their runner: conventions, dialect subset, idempotency on a real PostgreSQL 15."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bankpipe.warehouse_load import REPORTS
from bankpipe.warehouse_sql import (
    DEFAULT_SQL_DIR,
    PsycopgExecutor,
    apply_sql_dir,
    discover_sql_files,
    read_sql_file,
    split_statements,
    to_postgres_grantees,
)
from pg_server import PgServer, pg_server  # noqa: F401  (session fixture)

SQL_ROOT = DEFAULT_SQL_DIR.parent

# Redshift-only or PostgreSQL-only constructs that must stay out of the shared files
# (see sql/README.md).
FORBIDDEN_IN_SHARED = (
    "GETDATE",
    "DATEADD",
    "DATEDIFF",
    "NVL",
    "LISTAGG",
    "SUPER",
    "DISTKEY",
    "SORTKEY",
    "DISTSTYLE",
    "ENCODE",
    "IDENTITY",
    "COPY",
    "UNLOAD",
    "SERIAL",
    "JSONB",
    "ON CONFLICT",
    "RETURNING",
    "::",
    "ILIKE",
    "TOP",
)


# ------------------------------------------------------------------ splitting


def test_split_statements_on_semicolon_at_end_of_line() -> None:
    text = """-- header comment
CREATE SCHEMA IF NOT EXISTS x;
SELECT 'a;b' AS kept_together,
       2;

-- trailing comment ending in a semicolon;
"""
    assert split_statements(text) == [
        "-- header comment\nCREATE SCHEMA IF NOT EXISTS x",
        "SELECT 'a;b' AS kept_together,\n       2",
    ]


def test_split_statements_rejects_an_unterminated_statement() -> None:
    with pytest.raises(ValueError, match=r"demo.sql: the last statement does not end with ';'"):
        split_statements("SELECT 1;\nSELECT 2\n", "demo.sql")


def test_sql_file_names_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "monthly.sql"
    bad.write_text("SELECT 1;\n")
    with pytest.raises(ValueError, match=r"NNN_name\.sql"):
        read_sql_file(bad)


def test_empty_sql_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "001_empty.sql"
    empty.write_text("-- nothing here\n")
    with pytest.raises(ValueError, match="no SQL statement"):
        read_sql_file(empty)


def test_duplicate_numbers_and_redshift_only_files(tmp_path: Path) -> None:
    (tmp_path / "001_a.sql").write_text("SELECT 1;\n")
    (tmp_path / "002_b.redshift-only.sql").write_text("ALTER TABLE t ALTER SORTKEY (c);\n")
    (tmp_path / "003_c.sql").write_text("SELECT 3;\n")
    assert [f.name for f in discover_sql_files(tmp_path, "postgres")] == ["001_a.sql", "003_c.sql"]
    assert [f.name for f in discover_sql_files(tmp_path, "redshift")] == [
        "001_a.sql",
        "002_b.redshift-only.sql",
        "003_c.sql",
    ]
    (tmp_path / "003_d.sql").write_text("SELECT 4;\n")
    with pytest.raises(ValueError, match="share the number 003"):
        discover_sql_files(tmp_path, "postgres")
    with pytest.raises(ValueError, match="engine 'oracle' unknown"):
        discover_sql_files(tmp_path, "oracle")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("redshift", "postgres"),
    [
        ("GRANT USAGE ON SCHEMA banking TO ROLE r", "GRANT USAGE ON SCHEMA banking TO r"),
        (
            "GRANT SELECT, DELETE ON banking.t TO GROUP g, ROLE r",
            "GRANT SELECT, DELETE ON banking.t TO GROUP g, r",
        ),
        (
            "-- the loader\ngrant select on banking.t to role r",
            "-- the loader\ngrant select on banking.t to r",
        ),
        # Only grantees change: a table or column named like the keyword, and other statements, stay.
        ("GRANT SELECT ON banking.role TO GROUP g", "GRANT SELECT ON banking.role TO GROUP g"),
        ("CREATE ROLE r", "CREATE ROLE r"),
        ("SELECT 'TO ROLE r'", "SELECT 'TO ROLE r'"),
    ],
)
def test_role_grantees_are_written_the_postgres_way(redshift: str, postgres: str) -> None:
    assert to_postgres_grantees(redshift) == postgres


def test_only_postgres_gets_the_rewritten_grantees(tmp_path: Path) -> None:
    grant = "GRANT SELECT ON banking.t TO GROUP g, ROLE r"
    (tmp_path / "001_a.sql").write_text(f"{grant};\n")
    assert discover_sql_files(tmp_path, "redshift")[0].statements == (grant,)
    assert discover_sql_files(tmp_path, "postgres")[0].statements == (
        "GRANT SELECT ON banking.t TO GROUP g, r",
    )


def test_if_absent_files_may_create_groups_and_roles(tmp_path: Path) -> None:
    path = tmp_path / "002_groups.if-absent.sql"
    path.write_text("CREATE GROUP g;\nCREATE ROLE r;\n")
    assert read_sql_file(path).statements == ("CREATE GROUP g", "CREATE ROLE r")
    path.write_text("CREATE ROLE r;\nCREATE USER u;\n")
    with pytest.raises(
        ValueError, match="holds only 'CREATE GROUP name' statements \\(or 'CREATE ROLE name'\\)"
    ):
        read_sql_file(path)


# ------------------------------------------------------------------ the repository's files


def _shared_statements() -> list[tuple[str, str]]:
    return [(f.name, s) for f in discover_sql_files(DEFAULT_SQL_DIR, "postgres") for s in f.statements]


def _without_comments(statement: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in statement.splitlines())


def test_repository_sql_files_parse_in_order() -> None:
    files = discover_sql_files(DEFAULT_SQL_DIR, "redshift")
    assert [f.order for f in files] == sorted(f.order for f in files)
    assert files[0].name == "001_schema.sql"
    assert len(files) >= 3 + len(REPORTS)


@pytest.mark.parametrize("token", FORBIDDEN_IN_SHARED)
def test_shared_files_stay_in_the_common_dialect(token: str) -> None:
    pattern = re.compile(re.escape(token) if not token[0].isalpha() else rf"\b{re.escape(token)}\b", re.I)
    offenders = [
        name for name, statement in _shared_statements() if pattern.search(_without_comments(statement))
    ]
    assert not offenders, f"{token} found in {offenders}; keep shared SQL in the Redshift/PostgreSQL subset"


def test_every_create_is_idempotent() -> None:
    """CREATE ... IF NOT EXISTS, or a DROP ... IF EXISTS of the same object earlier in the same file."""
    for sql_file in discover_sql_files(DEFAULT_SQL_DIR, "redshift"):
        if sql_file.if_absent:
            continue  # CREATE GROUP only (read_sql_file checks), skipped when the group exists
        dropped: set[str] = set()
        for statement in sql_file.statements:
            code = " ".join(_without_comments(statement).split()).lower()
            drop = re.match(r"drop (table|view|materialized view) if exists (\S+)", code)
            if drop:
                dropped.add(drop[2])
                continue
            create = re.match(r"create (table|view|materialized view|schema) (if not exists )?(\S+)", code)
            if create:
                assert create[2] or create[3] in dropped, (
                    f"{sql_file.name}: '{code[:60]}...' is not idempotent; add IF NOT EXISTS or drop it first"
                )
            else:
                assert code.startswith(("alter ", "grant ", "comment ")), (
                    f"{sql_file.name}: unexpected '{code[:40]}'"
                )


def test_report_list_matches_the_materialized_views_in_the_sql_files() -> None:
    created = set()
    for _, statement in _shared_statements():
        created.update(re.findall(r"CREATE MATERIALIZED VIEW banking\.mv_(\w+)", statement))
    assert created == set(REPORTS)


def test_every_report_has_a_stable_view_and_an_athena_query() -> None:
    views = set()
    for _, statement in _shared_statements():
        views.update(re.findall(r"CREATE VIEW banking\.v_(\w+)", statement))
    assert views == set(REPORTS)
    athena = {p.stem for p in (SQL_ROOT / "athena").glob("*.sql")}
    assert set(REPORTS) <= athena


def test_transactions_ddl_covers_the_contract() -> None:
    """Every contract field is a column, contract-required fields are NOT NULL, maxLength fits."""
    contract = json.loads((SQL_ROOT.parent / "contracts" / "transaction.schema.json").read_text())
    ddl = read_sql_file(DEFAULT_SQL_DIR / "010_transactions.sql").statements[0]
    definitions = {m[1]: m[0] for m in re.finditer(r"^\s+([a-z_]+)\s+[A-Z].*$", ddl, re.M)}
    assert len(definitions) > len(contract["properties"])  # the pattern found the column list
    for name, spec in contract["properties"].items():
        assert name in definitions, f"contract field {name} has no column in 010_transactions.sql"
        if name in contract["required"]:
            assert "NOT NULL" in definitions[name], f"{name} is required by the contract but nullable"
        length = re.search(r"VARCHAR\((\d+)\)", definitions[name])
        if "maxLength" in spec and length:
            assert int(length[1]) >= spec["maxLength"], f"{name}: VARCHAR shorter than the contract maxLength"


# ------------------------------------------------------------------ on PostgreSQL 15


@pytest.mark.postgres
def test_files_apply_twice_on_postgres(pg_server: PgServer) -> None:  # noqa: F811
    database = pg_server.create_database("wh_sql")
    executor = PsycopgExecutor(database.conninfo())
    first = apply_sql_dir(executor)
    executor.execute(
        "INSERT INTO banking.transactions (transaction_id, account_id, occurred_at, type, operation, amount, "
        "currency, channel, status, txn_date, txn_hour, year, month, signed_amount, is_failure, run_id) "
        "VALUES "
        "('T1', 'A1', '2024-01-01T10:00:00Z', 'debit', 'cash_withdrawal', 10.00, 'CZK', 'atm', 'completed', "
        "'2024-01-01', 10, 2024, 1, -10.00, false, 'r1')"
    )
    second = apply_sql_dir(executor)
    assert first == second == [f.name for f in discover_sql_files(DEFAULT_SQL_DIR, "postgres")]
    # Re-applying keeps the data and rebuilds the reports from it.
    assert executor.query("SELECT COUNT(*) FROM banking.transactions") == [(1,)]
    assert executor.query("SELECT year, month, txn_count FROM banking.v_monthly_trend") == [(2024, 1, 1)]
    kinds = dict(
        executor.query(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'banking'"
        )
    )
    assert kinds["transactions"] == kinds["stg_transactions"] == "BASE TABLE"
    assert {name for name, kind in kinds.items() if kind == "VIEW"} == {f"v_{r}" for r in REPORTS}
    matviews = {
        row[0] for row in executor.query("SELECT matviewname FROM pg_matviews WHERE schemaname = 'banking'")
    }
    assert matviews == {f"mv_{r}" for r in REPORTS}


@pytest.mark.postgres
def test_a_failing_file_is_rolled_back_and_named(pg_server: PgServer, tmp_path: Path) -> None:  # noqa: F811
    database = pg_server.create_database("wh_sql_fail")
    executor = PsycopgExecutor(database.conninfo())
    (tmp_path / "001_ok.sql").write_text("CREATE SCHEMA IF NOT EXISTS banking;\n")
    (tmp_path / "002_broken.sql").write_text(
        "CREATE TABLE IF NOT EXISTS banking.half (id INT);\nCREATE TABLE banking.oops (id NOSUCHTYPE);\n"
    )
    with pytest.raises(RuntimeError, match=r"applying 002_broken\.sql failed"):
        apply_sql_dir(executor, tmp_path)
    # The whole file is one transaction: the first statement of the broken file did not stick.
    assert executor.query("SELECT to_regclass('banking.half') IS NULL") == [(True,)]


@pytest.mark.postgres
def test_reporting_group_reads_the_report_views_and_nothing_else(pg_server: PgServer) -> None:  # noqa: F811
    database = pg_server.create_database("wh_sql_grants")
    admin = PsycopgExecutor(database.conninfo())
    apply_sql_dir(admin)
    # A reader as a bank would add one: a login in the group the files grant to. Roles are
    # cluster-wide, so another test may have created it already.
    admin.execute("DROP ROLE IF EXISTS wh_test_reader")
    admin.execute("CREATE ROLE wh_test_reader LOGIN PASSWORD 'reader-pw' IN ROLE bank_reporting")
    reader = PsycopgExecutor(
        PgServer(database.host, database.port, "wh_test_reader", "reader-pw", database.database).conninfo()
    )
    for report in REPORTS:
        assert reader.query(f"SELECT COUNT(*) FROM banking.v_{report}") == [(0,)]
    with pytest.raises(Exception, match="permission denied for table transactions"):
        reader.query("SELECT COUNT(*) FROM banking.transactions")
    # Re-applying recreates every view (dropping its grants) and grants again from the same file.
    apply_sql_dir(admin)
    assert reader.query("SELECT COUNT(*) FROM banking.v_monthly_trend") == [(0,)]
