"""The Athena named queries pass Trino's own parser; SQL that only DuckDB accepts is rejected by name.

sql/athena-check/check.sh runs AthenaSqlCheck.java (built by `make setup` against trino-parser, the
parser of the engine Athena engine version 3 runs). The DuckDB stand-in accepts `::`, ILIKE, QUALIFY
and DuckDB's own functions; Athena does not, so the check must name each of them with its fix.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from bankpipe.enrich import PARTITION_COLUMN
from fixtures.paths import REPO_ROOT

CHECK = REPO_ROOT / "sql" / "athena-check" / "check.sh"
ALLOW_LIST = REPO_ROOT / "sql" / "athena-check" / "athena-v3-functions.txt"
NAMED_QUERIES = sorted((REPO_ROOT / "sql" / "athena").glob("*.sql"))

# file name -> (query body, the reason the check must give, the fix it must suggest). Each file gets a
# description line first, so the body starts on line 2; QUALIFY is on line 3.
BAD_QUERIES: dict[str, tuple[str, str, str]] = {
    "double_colon_cast": (
        "SELECT amount::DOUBLE AS amount FROM transactions",
        "'::' cast is DuckDB/PostgreSQL syntax",
        "CAST(x AS type)",
    ),
    "ilike": (
        "SELECT atm_id FROM transactions WHERE city ILIKE 'pra%'",
        "ILIKE does not exist in Trino",
        "LOWER(x) LIKE LOWER(pattern)",
    ),
    "qualify": (
        "SELECT atm_id, amount FROM transactions\n"
        "QUALIFY row_number() OVER (PARTITION BY atm_id ORDER BY amount DESC) = 1",
        "QUALIFY does not exist in Trino",
        "subquery",
    ),
    "strftime": (
        "SELECT strftime(occurred_at, '%Y-%m') AS month FROM transactions",
        "function strftime() is not on the Athena engine v3 allow-list",
        "date_format",
    ),
    "list_agg": (
        "SELECT account_id, list_agg(transaction_id) AS ids FROM transactions GROUP BY account_id",
        "function list_agg() is not on the Athena engine v3 allow-list",
        "array_agg",
    ),
    "string_agg": (
        "SELECT account_id, string_agg(transaction_id, ',') AS ids FROM transactions GROUP BY account_id",
        "function string_agg() is not on the Athena engine v3 allow-list",
        "listagg",
    ),
    "list_aggregate": (
        "SELECT account_id, list(transaction_id) AS ids FROM transactions GROUP BY account_id",
        "function list() is not on the Athena engine v3 allow-list",
        "array_agg",
    ),
    "unknown_function": (
        "SELECT made_up_fn(amount) FROM transactions",
        "function made_up_fn() is not on the Athena engine v3 allow-list",
        "athena-v3-functions.txt",
    ),
    "partition_vs_date": (
        "SELECT COUNT(*) AS n FROM transactions WHERE txn_date >= DATE '2024-01-05'",
        f"compares {PARTITION_COLUMN} (a string",
        f"CAST({PARTITION_COLUMN} AS DATE)",
    ),
    "alias_in_group_by": (
        "SELECT COALESCE(card_type, 'unknown') AS kind, COUNT(*) AS n FROM transactions GROUP BY kind",
        "refers to the SELECT alias kind in WHERE, GROUP BY or HAVING",
        "repeat the expression",
    ),
    "trailing_semicolon": (
        "SELECT COUNT(*) AS n FROM transactions;",
        "Trino's parser rejects this: mismatched input ';'",
        "one statement, no ';'",
    ),
}


# Not DuckDB-only SQL: DuckDB 1.4 refuses the first three as well (its list aggregate is list();
# list_agg exists in neither engine), and the trailing ';' breaks the named queries' own
# one-statement rule. DuckDB runs every other bad query, which is why the check exists.
NOT_DUCKDB_ONLY = {"list_agg", "unknown_function", "partition_vs_date", "trailing_semicolon"}


def run_check(*files: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(CHECK), *map(str, files)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode in (0, 1), f"the check did not run (make setup builds it): {result.stderr}"
    return result


def findings_by_file(output: str) -> dict[str, list[tuple[int, str]]]:
    """check.sh output -> {file name: [(line, 'what. Fix: how')]}."""
    findings: dict[str, list[tuple[int, str]]] = {}
    for match in re.finditer(r"^(\S+?\.sql):(\d+):\d+: (.*)$", output, re.MULTILINE):
        findings.setdefault(Path(match[1]).stem, []).append((int(match[2]), match[3]))
    return findings


def test_every_named_query_passes_trinos_parser_and_the_allow_list() -> None:
    assert NAMED_QUERIES, "no named queries found: the test would prove nothing"
    result = run_check(*NAMED_QUERIES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(NAMED_QUERIES)} file(s) parse as Trino SQL" in result.stdout


@pytest.fixture(scope="module")
def bad_query_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str]]]:
    """All bad queries in one run (one JVM start); each file starts with a description line."""
    folder = tmp_path_factory.mktemp("bad-athena-sql")
    files = []
    for name, (body, _, _) in BAD_QUERIES.items():
        path = folder / f"{name}.sql"
        path.write_text(f"-- {name}: not valid on Athena engine v3\n{body}\n", encoding="utf-8")
        files.append(path)
    result = run_check(*files)
    assert result.returncode == 1, result.stdout
    return findings_by_file(result.stdout)


@pytest.mark.parametrize("name", BAD_QUERIES)
def test_sql_athena_rejects_is_named_with_its_line_and_fix(
    bad_query_findings: dict[str, list[tuple[int, str]]], name: str
) -> None:
    _, reason, fix = BAD_QUERIES[name]
    findings = bad_query_findings.get(name)
    assert findings, f"{name}.sql was not rejected"
    body = BAD_QUERIES[name][0]
    expected_line = 3 if "\nQUALIFY" in body else 2
    assert [line for line, message in findings if reason in message] == [expected_line], findings
    assert any(reason in m and fix in m.split(". Fix: ", 1)[1] for _, m in findings), findings


@pytest.mark.parametrize("name", sorted(set(BAD_QUERIES) - NOT_DUCKDB_ONLY))
def test_the_duckdb_stand_in_runs_what_athena_rejects(name: str) -> None:
    """Without the check these would pass every DuckDB test and fail only in the Athena console."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE transactions AS SELECT 'T1' AS transaction_id, 'A1' AS account_id,"
        " 'ATM-001' AS atm_id, 'Praha' AS city, CAST(12.50 AS DECIMAL(18,2)) AS amount,"
        " TIMESTAMP '2024-01-05 03:00:00' AS occurred_at, 'gold' AS card_type,"
        f" '2024-01-05' AS {PARTITION_COLUMN}"  # VARCHAR, as the stand-in and the crawler type it
    )
    assert connection.execute(BAD_QUERIES[name][0]).fetchall()


def test_duckdb_isms_inside_strings_and_comments_are_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "quoted.sql"
    path.write_text(
        "-- a '::' cast and ILIKE in a comment are fine /* QUALIFY */\n"
        "SELECT 'a::b ILIKE c' AS \"x::y\", COUNT(*) AS n FROM transactions /* strftime(x) */\n",
        encoding="utf-8",
    )
    result = run_check(path)
    assert result.returncode == 0, result.stdout


def test_the_checks_string_partition_column_is_the_jobs_partition_column() -> None:
    """check.sh names the crawler's string-typed partition; it must be the one the ATM job writes."""
    match = re.search(r"^STRING_PARTITION_COLUMNS=(\S+)$", CHECK.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, "check.sh no longer sets STRING_PARTITION_COLUMNS"
    assert match[1].split(",") == [PARTITION_COLUMN]


def test_allow_list_names_are_lowercase_and_listed_once() -> None:
    names = [
        line.split("#", 1)[0].strip()
        for line in ALLOW_LIST.read_text(encoding="utf-8").splitlines()
        if line.split("#", 1)[0].strip()
    ]
    assert names and all(re.fullmatch(r"[a-z_][a-z0-9_]*", n) for n in names), names
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
