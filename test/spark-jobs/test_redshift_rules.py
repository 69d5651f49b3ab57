"""sql/redshift passes the Redshift rules, and the rules catch what Redshift rejects (on temp files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankpipe.warehouse_redshift_rules import (
    FUNCTION_FIXES,
    check_directory,
    code_of,
    report,
    statement_rejections,
)
from bankpipe.warehouse_sql import DEFAULT_SQL_DIR, discover_sql_files, read_sql_file


def test_repository_sql_files_follow_the_redshift_rules() -> None:
    rejections = check_directory(DEFAULT_SQL_DIR)
    assert not rejections, "\n" + report(rejections)


def test_the_check_reads_every_repository_file() -> None:
    names = {f.name for f in discover_sql_files(DEFAULT_SQL_DIR, "redshift")}
    assert names == {p.name for p in DEFAULT_SQL_DIR.glob("*.sql")}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str, name: str = "500_bad.sql") -> list[str]:
    _write(tmp_path, name, text)
    return [str(r) for r in check_directory(tmp_path)]


BAD_STATEMENTS = {
    "alter column type": (
        "ALTER TABLE banking.transactions ALTER COLUMN city TYPE VARCHAR(512);",
        "cannot run inside a transaction block",
        "ADD COLUMN c_new",
    ),
    "postgres set data type": (
        "ALTER TABLE banking.transactions ALTER city SET DATA TYPE VARCHAR(512);",
        "cannot run inside a transaction block",
        "outside any transaction",
    ),
    "two add columns": (
        "ALTER TABLE banking.transactions ADD COLUMN a VARCHAR(8), ADD COLUMN b VARCHAR(8);",
        "only one column per ALTER TABLE",
        "one ALTER TABLE ... ADD COLUMN statement per column",
    ),
    "add column if not exists": (
        "ALTER TABLE banking.transactions ADD COLUMN IF NOT EXISTS a VARCHAR(8);",
        "no ADD COLUMN IF NOT EXISTS",
        "guard its rerun",
    ),
    "refresh": (
        "REFRESH MATERIALIZED VIEW banking.mv_monthly_trend;",
        "runs as a transaction of its own",
        "refresh-reports step",
    ),
    "truncate": (
        "TRUNCATE TABLE banking.stg_transactions;",
        "commits the transaction it runs in",
        "DELETE FROM <table>",
    ),
    "primary key without a word on enforcement": (
        "CREATE TABLE IF NOT EXISTS banking.t (id VARCHAR(8) NOT NULL, PRIMARY KEY (id));",
        "does not enforce PRIMARY KEY or UNIQUE",
        "deduplicate in the load",
    ),
    "unique": (
        "CREATE TABLE IF NOT EXISTS banking.t (id VARCHAR(8) UNIQUE);",
        "does not enforce PRIMARY KEY or UNIQUE",
        "MERGE",
    ),
    "serial": (
        "CREATE TABLE IF NOT EXISTS banking.t (id BIGSERIAL);",
        "no SERIAL",
        "IDENTITY(1,1) in a .redshift-only file",
    ),
    "on conflict": (
        "INSERT INTO banking.t (id) VALUES ('a') ON CONFLICT (id) DO NOTHING;",
        "no ON CONFLICT",
        "MERGE INTO",
    ),
    "index": ("CREATE INDEX t_id ON banking.t (id);", "has no indexes", "ALTER SORTKEY"),
    "sequence": ("CREATE SEQUENCE banking.ids;", "has no sequences", "IDENTITY"),
    "current_timestamp over a table": (
        "CREATE VIEW banking.v AS SELECT CURRENT_TIMESTAMP AS at, COUNT(*) AS n FROM banking.t;\n"
        "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
        "run only on Redshift's leader node",
        "take the time from the data",
    ),
    "now()": (
        "CREATE VIEW banking.v AS SELECT id FROM banking.t WHERE at > NOW();\n"
        "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
        "run only on Redshift's leader node",
        "CURRENT_DATE on both engines",
    ),
    "is distinct from": (
        "CREATE VIEW banking.v AS SELECT a IS DISTINCT FROM b AS changed FROM banking.t;\n"
        "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
        "IS [NOT] DISTINCT FROM",
        "a IS NULL AND b IS NULL",
    ),
    "generate_series over a table": (
        "CREATE TABLE banking.days AS SELECT generate_series(1, 31) AS day_of_month;",
        "no GENERATE_SERIES()",
        "leader node only",
    ),
    "string_agg": (
        "CREATE VIEW banking.v AS SELECT STRING_AGG(city, ',') AS cities FROM banking.t;\n"
        "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
        "no STRING_AGG()",
        "LISTAGG",
    ),
    "regr": (
        "CREATE VIEW banking.v AS SELECT REGR_SLOPE(y, x) AS s FROM banking.t;\n"
        "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
        "no REGR_SLOPE()",
        "in the job",
    ),
    "view without grant": (
        "DROP VIEW IF EXISTS banking.v_new;\nCREATE VIEW banking.v_new AS SELECT 1 AS x;",
        "banking.v_new is created here without a GRANT",
        "GRANT SELECT ON banking.v_new TO GROUP",
    ),
    "recreated table without grant": (
        "DROP TABLE IF EXISTS banking.stg_x;\nCREATE TABLE banking.stg_x (LIKE banking.transactions);",
        "banking.stg_x is created here without a GRANT",
        "in this same file",
    ),
    "materialized view granted in another statement of another object": (
        "CREATE MATERIALIZED VIEW banking.mv_new AS SELECT 1 AS x;\n"
        "GRANT SELECT ON banking.v_other TO GROUP bank_reporting;",
        "banking.mv_new is created here without a GRANT",
        "in this same file",
    ),
}


@pytest.mark.parametrize("case", BAD_STATEMENTS, ids=list(BAD_STATEMENTS))
def test_a_bad_file_is_rejected_with_file_statement_and_fix(tmp_path: Path, case: str) -> None:
    sql, problem, fix = BAD_STATEMENTS[case]
    problems = _problems(tmp_path, f"-- fixture: {case}\n{sql}\n")
    assert problems, f"{case} was not rejected"
    matching = [p for p in problems if problem in p]
    assert matching, f"{case}: expected {problem!r} in\n" + "\n".join(problems)
    message = matching[0]
    assert message.startswith("500_bad.sql: ")
    shown = message.split("\n  statement: ", 1)[1].split("\n  fix: ", 1)[0]
    assert any(shown[:40] == code_of(s)[:40] for s in sql.split(";") if s.strip()), message
    assert "\n  fix: " in message and fix in message


def test_redshift_only_files_are_checked_too(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "REFRESH MATERIALIZED VIEW banking.mv_x;\n", name="500_bad.redshift-only.sql"
    )
    assert any(p.startswith("500_bad.redshift-only.sql: REFRESH") for p in problems)


ACCEPTED = {
    "varchar widening in a comment only": "-- ALTER TABLE t ALTER COLUMN c TYPE VARCHAR(9)\nSELECT 1;",
    "a keyword inside a string": "CREATE VIEW banking.v AS\n"
    "SELECT 'ON CONFLICT; REFRESH MATERIALIZED VIEW' AS x;\n"
    "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
    "one add column per statement": "ALTER TABLE banking.t ADD COLUMN a VARCHAR(8);\n"
    "ALTER TABLE banking.t ADD COLUMN b VARCHAR(8);",
    "add a constraint": "ALTER TABLE banking.t ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES banking.u (a);",
    "a key that says it is not enforced": "CREATE TABLE IF NOT EXISTS banking.t (\n"
    "    id VARCHAR(8) NOT NULL,\n    -- not enforced on Redshift: the MERGE keeps id unique\n"
    "    PRIMARY KEY (id)\n);",
    # Redshift accepts both (CAST and CONVERT functions; pattern-matching conditions).
    "double-colon cast": "CREATE VIEW banking.v AS SELECT amount::DECIMAL(38,2) AS a FROM banking.t;\n"
    "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
    "ilike": "CREATE VIEW banking.v AS SELECT city FROM banking.t WHERE city ILIKE 'pra%';\n"
    "GRANT SELECT ON banking.v, banking.w TO GROUP bank_reporting;",
    "current_date": "CREATE VIEW banking.v AS SELECT id FROM banking.t WHERE d < CURRENT_DATE;\n"
    "GRANT SELECT ON banking.v TO GROUP bank_reporting;",
    "a column named like a function": "CREATE VIEW banking.v AS SELECT format, every FROM banking.t;\n"
    "GRANT SELECT ON TABLE banking.v TO GROUP bank_reporting;",
}


@pytest.mark.parametrize("case", ACCEPTED, ids=list(ACCEPTED))
def test_what_redshift_accepts_passes(tmp_path: Path, case: str) -> None:
    assert _problems(tmp_path, ACCEPTED[case] + "\n") == []


def test_every_listed_function_is_caught() -> None:
    for function in FUNCTION_FIXES:
        rejections = statement_rejections("x.sql", f"SELECT {function.lower()}(a) FROM banking.t")
        assert [r.problem for r in rejections] == [f"Redshift has no {function}()"], function


def test_if_absent_files_hold_only_create_group(tmp_path: Path) -> None:
    ok = _write(tmp_path, "002_groups.if-absent.sql", "-- groups\nCREATE GROUP bank_reporting;\n")
    assert read_sql_file(ok).if_absent
    bad = _write(tmp_path, "003_more.if-absent.sql", "CREATE TABLE banking.t (id INT);\n")
    with pytest.raises(ValueError, match=r"holds only 'CREATE GROUP name' statements"):
        read_sql_file(bad)
