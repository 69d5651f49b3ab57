"""What Redshift rejects in sql/redshift files although PostgreSQL 15 (the local twin) accepts it.

The twin applies the same files to PostgreSQL, which is more permissive, so a file can pass every
local test and still fail the deploy (or worse, deploy and behave differently). This module checks
the files for those constructs; test/spark-jobs/test_redshift_rules.py runs it over sql/redshift.

Each rule is taken from the Amazon Redshift Database Developer Guide:
- ALTER TABLE: `ALTER COLUMN ... TYPE` changes a VARCHAR's size only, not inside a transaction
  block (every file runs as one transaction), not on a PRIMARY KEY/UNIQUE column; "You can add only
  one column in each ALTER TABLE statement"; no `ADD COLUMN IF NOT EXISTS` in the syntax.
- REFRESH MATERIALIZED VIEW "runs as a transaction of its own" and only the view's owner may run it;
  TRUNCATE "commits the transaction in which it is run".
- "Unique, primary key, and foreign key constraints are permitted, but they are informational
  only. They are not enforced" (Unsupported PostgreSQL features); indexes and sequences are not
  supported either.
- SERIAL/BIGSERIAL/SMALLSERIAL are unsupported data types; INSERT has no ON CONFLICT clause.
- Date and time functions: CURRENT_TIMESTAMP, NOW, AGE, ... are "deprecated leader node-only
  functions" (never over tables).
- Unsupported PostgreSQL functions: GENERATE_SERIES (leader node only, so never over tables),
  STRING_AGG, ARRAY_AGG, IS DISTINCT FROM, FORMAT, REGEXP_MATCHES, ... (FUNCTION_FIXES below).

Accepted by Redshift and therefore not rules here: `expression :: type` casts (CAST and CONVERT
functions), ILIKE (pattern-matching conditions). test_warehouse_sql.py still keeps `::` out of the
files for a single cast style.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bankpipe.warehouse_sql import DEFAULT_SQL_DIR, SqlFile, discover_sql_files


@dataclass(frozen=True)
class Rejection:
    """One statement Redshift would reject (or run differently), with the compatible fix."""

    file: str
    statement: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}\n  statement: {self.statement}\n  fix: {self.fix}"


def code_of(statement: str) -> str:
    """The statement without string literals and comments, on one line (what the rules look at)."""
    without_strings = re.sub(r"'(?:[^']|'')*'", "''", statement)
    without_block_comments = re.sub(r"/\*.*?\*/", " ", without_strings, flags=re.S)
    without_comments = "\n".join(line.split("--", 1)[0] for line in without_block_comments.splitlines())
    return " ".join(without_comments.split())


def comments_of(statement: str) -> str:
    """The `--` comments of a statement (the runner keeps a statement's leading comment lines)."""
    return " ".join(line.split("--", 1)[1] for line in statement.splitlines() if "--" in line)


def abbreviate(statement: str, limit: int = 160) -> str:
    text = code_of(statement)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------ the rules


@dataclass(frozen=True)
class Rule:
    problem: str
    fix: str
    applies: Callable[[str, str], bool]
    """(code, comments) -> True when the statement breaks the rule."""


def _matches(pattern: str) -> Callable[[str, str], bool]:
    compiled = re.compile(pattern, re.I)
    return lambda code, _comments: bool(compiled.search(code))


_ADD_COLUMN = re.compile(
    r"\bADD\s+(?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|FOREIGN\b|CHECK\b|PARTITION\b|IF\s+NOT\s+EXISTS\s+PARTITION\b)",
    re.I,
)


def _adds_several_columns(code: str, _comments: str) -> bool:
    return bool(re.match(r"ALTER\s+TABLE\b", code, re.I)) and len(_ADD_COLUMN.findall(code)) > 1


_KEY_CONSTRAINT = re.compile(r"\bPRIMARY\s+KEY\b|\bUNIQUE\b", re.I)
_SAYS_NOT_ENFORCED = re.compile(r"\bnot\s+enforce", re.I)


def _relies_on_key_constraint(code: str, comments: str) -> bool:
    declares = bool(re.match(r"(CREATE|ALTER)\s+TABLE\b", code, re.I)) and bool(_KEY_CONSTRAINT.search(code))
    return declares and not _SAYS_NOT_ENFORCED.search(comments)


WIDEN_COLUMN_FIX = (
    "Redshift changes only a VARCHAR's size with ALTER COLUMN ... TYPE, never inside a transaction "
    "block and never on a PRIMARY KEY/UNIQUE column. In a new numbered file: ALTER TABLE t ADD COLUMN "
    "c_new <type>; UPDATE t SET c_new = c; ALTER TABLE t DROP COLUMN c; ALTER TABLE t RENAME COLUMN "
    "c_new TO c (recreate the views that read c in the same file), or create the table under a new "
    "name and INSERT ... SELECT into it. Or run the single ALTER TABLE ... ALTER COLUMN ... TYPE "
    "VARCHAR(n) by hand, as a statement of its own outside any transaction, not in sql/redshift"
)

NOW_FIX = (
    "take the time from the data or write it from the job; GETDATE() or SYSDATE work on Redshift's "
    "compute nodes (in a .redshift-only file), CURRENT_DATE on both engines"
)

STATEMENT_RULES: tuple[Rule, ...] = (
    Rule(
        "ALTER COLUMN ... TYPE cannot run inside a transaction block on Redshift, and each "
        "sql/redshift file runs as one transaction",
        WIDEN_COLUMN_FIX,
        _matches(r"\bALTER\s+TABLE\b.*\bALTER\s+(COLUMN\s+)?\w+\s+(SET\s+DATA\s+)?TYPE\b"),
    ),
    Rule(
        "Redshift adds only one column per ALTER TABLE statement",
        "write one ALTER TABLE ... ADD COLUMN statement per column",
        _adds_several_columns,
    ),
    Rule(
        "Redshift has no ADD COLUMN IF NOT EXISTS",
        "use a plain ADD COLUMN in a new numbered file and guard its rerun (e.g. a one-shot migration "
        "table), or recreate the table under a new name",
        _matches(r"\bADD\s+(COLUMN\s+)?IF\s+NOT\s+EXISTS\b(?!\s+PARTITION)"),
    ),
    Rule(
        "REFRESH MATERIALIZED VIEW runs as a transaction of its own on Redshift (never inside a "
        "file's transaction) and only the view's owner may run it",
        "leave it out of sql/redshift: a materialized view is filled when it is created, and the run's "
        "refresh-reports step refreshes every one after each load",
        _matches(r"\bREFRESH\s+MATERIALIZED\s+VIEW\b"),
    ),
    Rule(
        "TRUNCATE commits the transaction it runs in on Redshift, so the rest of the file would no "
        "longer roll back with it (and only the table's owner may run it)",
        "use DELETE FROM <table>, which stays inside the file's transaction",
        _matches(r"^TRUNCATE\b"),
    ),
    Rule(
        "Redshift does not enforce PRIMARY KEY or UNIQUE (they are informational, used by the "
        "planner), so they cannot keep duplicates out",
        "say so in a comment of the statement (e.g. '-- not enforced on Redshift: the MERGE on "
        "transaction_id keeps it unique') and deduplicate in the load (MERGE, or DELETE + INSERT)",
        _relies_on_key_constraint,
    ),
    Rule(
        "Redshift has no SERIAL, BIGSERIAL or SMALLSERIAL type",
        "derive the key in the job (e.g. from the record's own id), or use IDENTITY(1,1) in a "
        ".redshift-only file",
        _matches(r"\b(SMALL|BIG)?SERIAL[248]?\b"),
    ),
    Rule(
        "Redshift's INSERT has no ON CONFLICT clause",
        "use MERGE INTO ... USING ... ON key (or DELETE the matching keys then INSERT, in one transaction)",
        _matches(r"\bON\s+CONFLICT\b"),
    ),
    Rule(
        "Redshift has no indexes",
        "leave the sort key to automatic table optimization, or set one with ALTER TABLE ... "
        "ALTER SORTKEY (...) in a .redshift-only file",
        _matches(r"\bCREATE\s+(UNIQUE\s+)?INDEX\b"),
    ),
    Rule(
        "Redshift has no sequences",
        "derive the key in the job, or use IDENTITY(1,1) in a .redshift-only file",
        _matches(r"\bCREATE\s+SEQUENCE\b|\bNEXTVAL\s*\("),
    ),
    Rule(
        "CURRENT_TIMESTAMP, CURRENT_TIME, LOCALTIME(STAMP), NOW(), AGE() and ISFINITE() run only on "
        "Redshift's leader node, so never in a statement that reads or writes a table",
        NOW_FIX,
        _matches(r"\b(CURRENT_TIMESTAMP|CURRENT_TIME|LOCALTIMESTAMP|LOCALTIME)\b|\b(NOW|AGE|ISFINITE)\s*\("),
    ),
    Rule(
        "Redshift does not support IS [NOT] DISTINCT FROM",
        "write (a = b OR (a IS NULL AND b IS NULL)) or its negation",
        _matches(r"\bIS\s+(NOT\s+)?DISTINCT\s+FROM\b"),
    ),
)

# PostgreSQL functions Redshift does not have (Unsupported PostgreSQL functions), with what to use.
FUNCTION_FIXES: dict[str, str] = {
    "GENERATE_SERIES": "runs on the leader node only, never with tables: join a numbers table, or "
    "ROW_NUMBER() OVER (...) over an existing table",
    "GENERATE_SUBSCRIPTS": "Redshift has no arrays: keep one row per element",
    "STRING_AGG": "use LISTAGG in a .redshift-only file, or aggregate in the job",
    "ARRAY_AGG": "Redshift has no arrays: aggregate in the job, or LISTAGG in a .redshift-only file",
    "EVERY": "use BOOL_AND",
    "CORR": "compute it from SUM/COUNT aggregates, or in the job",
    "COVAR_POP": "compute it from SUM/COUNT aggregates, or in the job",
    "COVAR_SAMP": "compute it from SUM/COUNT aggregates, or in the job",
    "CLOCK_TIMESTAMP": NOW_FIX,
    "TRANSACTION_TIMESTAMP": NOW_FIX,
    "JUSTIFY_DAYS": "Redshift has no INTERVAL columns: compute in days or seconds",
    "JUSTIFY_HOURS": "Redshift has no INTERVAL columns: compute in days or seconds",
    "JUSTIFY_INTERVAL": "Redshift has no INTERVAL columns: compute in days or seconds",
    "PG_SLEEP": "do not wait in SQL; wait in the caller",
    "DIV": "use FLOOR(a / b) on numeric operands (integer / integer already truncates)",
    "SETSEED": "do not rely on a seeded RANDOM() in SQL",
    "WIDTH_BUCKET": "use a CASE expression",
    "BIT_LENGTH": "use OCTET_LENGTH(x) * 8",
    "OVERLAY": "use SUBSTRING and ||",
    "CONVERT_FROM": "store text as UTF-8 VARCHAR",
    "CONVERT_TO": "store text as UTF-8 VARCHAR",
    "FORMAT": "build the text with || and TO_CHAR",
    "QUOTE_NULLABLE": "use COALESCE(QUOTE_LITERAL(x), 'NULL')",
    "REGEXP_MATCHES": "use REGEXP_SUBSTR or REGEXP_COUNT",
    "REGEXP_SPLIT_TO_ARRAY": "use SPLIT_PART",
    "REGEXP_SPLIT_TO_TABLE": "use SPLIT_PART with a numbers table",
}
_FUNCTION_CALL = re.compile(r"\b(" + "|".join(FUNCTION_FIXES) + r"|REGR_[A-Z0-9]+)\s*\(", re.I)


def statement_rejections(file_name: str, statement: str) -> list[Rejection]:
    code, comments = code_of(statement), comments_of(statement)
    shown = abbreviate(statement)
    found = [
        Rejection(file_name, shown, rule.problem, rule.fix)
        for rule in STATEMENT_RULES
        if rule.applies(code, comments)
    ]
    for function in dict.fromkeys(m.upper() for m in _FUNCTION_CALL.findall(code)):
        fix = FUNCTION_FIXES.get(function, "compute it from SUM/COUNT aggregates, or in the job")
        found.append(Rejection(file_name, shown, f"Redshift has no {function}()", fix))
    return found


def file_rejections(sql_file: SqlFile) -> list[Rejection]:
    return [r for statement in sql_file.statements for r in statement_rejections(sql_file.name, statement)]


# ------------------------------------------------------------------ grants beside their views

_CREATED_VIEW = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+([\w.]+)", re.I)
_GRANT_ON = re.compile(r"^GRANT\s+.+?\s+ON\s+(?:TABLE\s+)?([\w.,\s]+?)\s+TO\s+", re.I)


_DROPPED_TABLE = re.compile(r"^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\w.]+)", re.I)
_CREATED_TABLE = re.compile(r"^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)", re.I)


def views_without_grant(sql_file: SqlFile) -> list[Rejection]:
    """Views, materialized views and recreated tables (dropped, then created) made in the file with
    no GRANT on them later in that file.

    Dropping an object drops its grants, and the files drop and recreate views (and the staging
    table) at every deploy, so a grant kept in another file is lost whenever the object's file runs.
    """
    pending: dict[str, str] = {}
    dropped_tables: set[str] = set()
    for statement in sql_file.statements:
        code = code_of(statement)
        dropped = _DROPPED_TABLE.match(code)
        if dropped:
            dropped_tables.add(dropped[1].lower())
            continue
        created = _CREATED_VIEW.match(code) or _CREATED_TABLE.match(code)
        if created and (_CREATED_VIEW.match(code) or created[1].lower() in dropped_tables):
            pending[created[1].lower()] = abbreviate(statement)
            continue
        granted = _GRANT_ON.match(code)
        if granted:
            for name in granted[1].split(","):
                pending.pop(name.strip().lower(), None)
    return [
        Rejection(
            sql_file.name,
            shown,
            f"{view} is created here without a GRANT: a redeploy that recreates it drops every grant on it",
            f"add its GRANTs (e.g. GRANT SELECT ON {view} TO GROUP bank_reporting) after the CREATE, "
            "in this same file",
        )
        for view, shown in pending.items()
    ]


def check_files(files: Iterable[SqlFile]) -> list[Rejection]:
    return [r for sql_file in files for r in (*file_rejections(sql_file), *views_without_grant(sql_file))]


def check_directory(directory: Path = DEFAULT_SQL_DIR) -> list[Rejection]:
    """Every rejection in every file of `directory` that runs on Redshift."""
    return check_files(discover_sql_files(directory, "redshift"))


def report(rejections: Sequence[Rejection]) -> str:
    return "\n".join(str(r) for r in rejections)
