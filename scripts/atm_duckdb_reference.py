#!/usr/bin/env python3
"""The ATM job's transformations in DuckDB: the single-node reference for scripts/bench_atm_job.py.

    .local/venv/bin/python scripts/atm_duckdb_reference.py --input 'DIR/*.jsonl' --out DIR \\
        --now 2024-02-01T00:00:00Z [--threads 2]

It does the same work as ``spark-jobs/atm_job.py`` on an empty output, in SQL:

1. every non-blank line, with its file name;
2. validation derived from the same contract file (``bankpipe.contract``): strict JSON object,
   required fields, per-property kind / enum / length / pattern / date-time / range / multipleOf /
   storage range, the channel = atm conditional fields, the future-timestamp limit; the first
   problem of a line is its reason, in the job's order (``bankpipe.validation``);
3. dedup by transaction_id (earliest occurred_at, then a hash of the line, then the file name), and
   of bad lines by their exact text (the copy in the smallest file name is quarantined, the others
   are duplicates);
4. the enriched transactions written as Parquet partitioned by txn_date, the quarantine as JSON
   lines with run_id, reason, raw_line and source_file;
5. the reports computed in SQL, from their definitions in sql/reports (transpiled to DuckDB's SQL, as
   for every engine; one that requires customer data is left out, as by the job without a customer
   file), and the fraud report with the three fraud rules, each written as Parquet.

It prints one JSON document: counts as in the job's manifest (read, valid, quarantined by reason,
duplicates) and rows written per output. The benchmark compares these counts
and the written files themselves with the job's before comparing the times.

Known differences from the job, none of which the benchmark input exercises: DuckDB's JSON parser
is more lenient than the job's strict one (it accepts ``NaN`` and a trailing comma before ``}``),
RE2 is not java.util.regex (no lookaheads other than a leading ``(?!...$)``), duplicate keys may
resolve differently, dedup ties between different lines with the same occurred_at are broken by
DuckDB's hash instead of xxhash64, and there is no "already processed" check because the output
starts empty.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Collection
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
from repo_root import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "spark-jobs"))
sys.path.insert(0, str(REPO_ROOT / "scripts"))
from report_sql import load_reports

from bankpipe.contract import Alternative, Contract, PropertyRule, load_contract
from bankpipe.enrich import DEBIT_TYPE, FAILURE_STATUSES
from bankpipe.fraud import DEFAULT_RULES, WITHDRAWAL_OPERATIONS, FraudRules
from bankpipe.fraud_rules import duration_text
from bankpipe.job import parse_instant
from bankpipe.reports import FRAUD_REPORT

# DuckDB json_type names -> the JSON kinds of bankpipe.parse.json_kind.
# json_type of a key that is not there is NULL: 'absent'.
_KINDS = (
    "CASE WHEN {t} IS NULL THEN 'absent' WHEN {t} = 'VARCHAR' THEN 'string' WHEN {t} = 'NULL' THEN 'null' "
    "WHEN {t} = 'BOOLEAN' THEN 'boolean' WHEN {t} = 'OBJECT' THEN 'object' WHEN {t} = 'ARRAY' THEN 'array' "
    "ELSE 'number' END"
)
# A leading negative lookahead over the whole value, as in the contract's amount pattern. RE2 has no
# lookaheads, so it becomes a second, negated full match.
OUTPUT_MARKER = ".atm-duckdb-reference"
# The enriched transactions' table, which the report queries read.
REFERENCE_TABLE = "txn"
_LEADING_LOOKAHEAD = re.compile(r"^\^\(\?!(?P<forbidden>.+)\$\)(?P<rest>.*)$")


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def kind(name: str) -> str:
    return ident(f"k_{name}")


def text(name: str) -> str:
    return ident(f"t_{name}")


def pattern_check(value: str, pattern: str) -> str:
    """SQL that is true when ``value`` does NOT match ``pattern`` (find semantics, like the job)."""
    lookahead = _LEADING_LOOKAHEAD.match(pattern)
    if lookahead is None:
        return f"NOT regexp_matches({value}, {quote(pattern)})"
    forbidden = "^(?:" + lookahead["forbidden"] + ")$"
    rest = "^" + lookahead["rest"]
    return f"(NOT regexp_matches({value}, {quote(rest)}) OR regexp_matches({value}, {quote(forbidden)}))"


def accepted(rule: PropertyRule) -> list[str]:
    return sorted({"number" if alt.kind == "integer" else alt.kind for alt in rule.alternatives} - {"null"})


def typed_value(rule: PropertyRule) -> str:
    """The value in its storage type, as ``bankpipe.validation.typed_value``."""
    storage = rule.storage_type
    if storage == "timestamp":
        return f"CASE WHEN {kind(rule.name)} = 'string' THEN try_cast({text(rule.name)} AS TIMESTAMPTZ) END"
    kinds = ", ".join(quote(k) for k in accepted(rule) or ["<none>"])
    value = f"CASE WHEN {kind(rule.name)} IN ({kinds}) THEN {text(rule.name)} END"
    duck_type = {"string": "VARCHAR", "double": "DOUBLE", "bigint": "BIGINT", "boolean": "BOOLEAN"}.get(
        storage, storage.upper()
    )
    return value if storage == "string" else f"try_cast({value} AS {duck_type})"


def number(name: str) -> str:
    return ident(f"n_{name}")


def numbers(contract: Contract) -> str:
    """Numeric values as exact decimals, cast once per row (the cast is costly and every range check
    uses it)."""
    numeric = [
        r.name for r in contract.properties if any(a.kind in ("number", "integer") for a in r.alternatives)
    ]
    return "".join(
        f", CASE WHEN {kind(n)} = 'number' THEN try_cast({text(n)} AS DECIMAL(38,18)) END AS {number(n)}"
        for n in numeric
    )


def first_failure(name: str, alt: Alternative) -> str:
    checks: list[tuple[str, str]] = []
    value = text(name)
    if alt.kind == "string":
        if alt.enum is not None:
            checks.append((f"{value} NOT IN ({', '.join(quote(v) for v in alt.enum)})", "invalid_enum"))
        if alt.min_length is not None:
            checks.append((f"length({value}) < {alt.min_length}", "too_short"))
        if alt.max_length is not None:
            checks.append((f"length({value}) > {alt.max_length}", "too_long"))
        if alt.pattern is not None:
            checks.append((pattern_check(value, alt.pattern), "pattern_mismatch"))
        if alt.format == "date-time":
            checks.append((f"try_cast({value} AS TIMESTAMPTZ) IS NULL", "invalid_timestamp"))
    elif alt.kind in ("number", "integer"):
        exact = number(name)
        checks.append((f"{exact} IS NULL", "out_of_range"))
        if alt.kind == "integer":
            checks.append((f"{exact} % 1 <> 0", "invalid_type"))
        for bound, op, reason in (
            (alt.minimum, "<", "below_minimum"),
            (alt.exclusive_minimum, "<=", "below_minimum"),
            (alt.maximum, ">", "above_maximum"),
            (alt.exclusive_maximum, ">=", "above_maximum"),
        ):
            if bound is not None:
                checks.append((f"{exact} {op} {bound}", reason))
        if alt.multiple_of is not None:
            checks.append((f"{exact} % {alt.multiple_of} <> 0", "not_multiple_of"))
    if not checks:
        return "NULL"
    whens = " ".join(f"WHEN {cond} THEN {quote(f'{reason}:{name}')}" for cond, reason in checks)
    return f"CASE {whens} END"


def property_problem(rule: PropertyRule) -> str:
    name, k = rule.name, kind(rule.name)
    alt_kind = {alt: ("number" if alt.kind == "integer" else alt.kind) for alt in rule.alternatives}
    accepts = " OR ".join(f"{k} = {quote(alt_kind[alt])}" for alt in rule.alternatives) or "false"
    wrong = "invalid_enum" if rule.is_enum_only else "invalid_type"
    by_kind = " ".join(
        f"WHEN {k} = {quote(alt_kind[alt])} THEN {first_failure(name, alt)}" for alt in rule.alternatives
    )
    problem = (
        f"CASE WHEN {k} = 'absent' THEN NULL "
        f"WHEN NOT ({accepts}) THEN CASE WHEN {k} = 'null' THEN {quote('null_value:' + name)} "
        f"ELSE {quote(f'{wrong}:{name}')} END "
        f"ELSE CASE {by_kind} END END"
    )
    if rule.exactly_one and len(rule.alternatives) > 1:
        passing = " + ".join(
            f"CASE WHEN {k} = {quote(alt_kind[alt])} AND ({first_failure(name, alt)}) IS NULL "
            "THEN 1 ELSE 0 END"
            for alt in rule.alternatives
        )
        problem = f"coalesce({problem}, CASE WHEN {passing} > 1 THEN {quote('ambiguous_one_of:' + name)} END)"
    if rule.storage_type in ("string", "timestamp"):
        return problem
    out_of_range = (
        f"CASE WHEN {k} NOT IN ('absent', 'null') AND ({typed_value(rule)}) IS NULL "
        f"THEN {quote('out_of_range:' + name)} END"
    )
    return f"coalesce({problem}, {out_of_range})"


def reason_sql(contract: Contract, now: datetime, max_future_minutes: int) -> str:
    checks = ["json_error"]
    checks += [
        f"CASE WHEN {kind(n)} = 'absent' THEN {quote('missing_field:' + n)} END" for n in contract.required
    ]
    checks += [property_problem(rule) for rule in contract.properties]
    for conditional in contract.conditionals:
        holds = " AND ".join(
            f"coalesce({kind(f)} = 'string' AND {text(f)} IN ({', '.join(quote(v) for v in values)}), false)"
            for f, values in conditional.conditions
        )
        checks += [
            f"CASE WHEN {holds} AND {kind(n)} = 'absent' THEN {quote('missing_field:' + n)} END"
            for n in conditional.required
        ]
    if not contract.additional_properties:
        known = "[" + ", ".join(quote(n) for n in contract.property_names) + "]"
        extra = f"list_filter(json_keys(doc), k -> NOT list_contains({known}, k))"
        checks.append(
            f"CASE WHEN json_error IS NULL AND len({extra}) > 0 THEN 'unexpected_field:' || {extra}[1] END"
        )
    limit = (now + timedelta(minutes=max_future_minutes)).isoformat()
    ts = typed_value(contract.rule("occurred_at"))
    checks.append(f"CASE WHEN ({ts}) > TIMESTAMPTZ {quote(limit)} THEN 'future_timestamp:occurred_at' END")
    return "coalesce(" + ",\n  ".join(checks) + ")"


def extra_fields_sql(contract: Contract) -> str:
    known = "[" + ", ".join(quote(n) for n in contract.property_names) + "]"
    extra = f"list_filter(json_keys(doc), k -> NOT list_contains({known}, k))"
    # to_json(k) is the key as a quoted, escaped JSON string: a valid path step for any key.
    entries = (
        f"list_transform({extra}, k -> to_json(k) || ':' || json_extract(doc, '$.' || to_json(k))::VARCHAR)"
    )
    return f"CASE WHEN len({extra}) > 0 THEN '{{' || array_to_string({entries}, ',') || '}}' END"


def report_queries(rules: FraudRules, skipped: Collection[str] = ()) -> dict[str, str]:
    """Report name -> DuckDB query over ``txn``: the reports computed in SQL come from their
    definitions (sql/reports, transpiled as for every other engine), the fraud report from the rules."""
    queries = {
        report.name: report.duckdb_sql(REFERENCE_TABLE)
        for report in load_reports()
        if report.computed_in_sql and report.name not in skipped
    }
    withdrawals = ", ".join(quote(op) for op in WITHDRAWAL_OPERATIONS)
    card_atm = "channel = 'atm' AND card_id IS NOT NULL"
    burst_window = quote(duration_text(rules.burst_window_seconds))
    max_amount_window = quote(duration_text(rules.max_amount_window_seconds))
    # The rules file's maximum single withdrawal per currency (a currency it does not list never matches).
    maxima = " UNION ALL ".join(
        [
            f"SELECT {quote(c)} AS currency, CAST({quote(str(a))} AS DECIMAL(18,2)) AS cap"
            for c, a in sorted(rules.max_withdrawal_amount_by_currency.items())
        ]
        or ["SELECT NULL::VARCHAR AS currency, NULL::DECIMAL(18,2) AS cap WHERE false"]
    )
    return {
        **queries,
        FRAUD_REPORT: f"""
        WITH activity AS (
          -- whole seconds rounded down, as Spark's unix_seconds (a cast to BIGINT would round)
          SELECT *, epoch(date_trunc('second', occurred_at))::BIGINT AS ep FROM txn WHERE {card_atm}
        ), bursts AS (
          SELECT transaction_id, account_id, card_id, occurred_at, 'withdrawal_burst' AS rule,
                 printf('%d ATM withdrawals by the card within %s', n,
                        {burst_window}) AS detail
          FROM (SELECT *, count(*) OVER (PARTITION BY card_id ORDER BY ep
                  RANGE BETWEEN {rules.burst_window_seconds} PRECEDING AND CURRENT ROW) AS n
                FROM activity WHERE operation IN ({withdrawals}))
          WHERE n >= {rules.burst_count}
        ), moves AS (
          SELECT *, lag(atm_id) OVER w AS prev_atm, lag(latitude) OVER w AS prev_lat,
                 lag(longitude) OVER w AS prev_lon, lag(ep) OVER w AS prev_ep
          FROM activity WHERE latitude IS NOT NULL AND longitude IS NOT NULL
          WINDOW w AS (PARTITION BY card_id ORDER BY ep, transaction_id)
        ), measured AS (
          SELECT *, 2 * {rules.earth_radius_km} * asin(least(1.0, sqrt(
                   pow(sin(radians(latitude - prev_lat) / 2), 2)
                   + cos(radians(prev_lat)) * cos(radians(latitude))
                     * pow(sin(radians(longitude - prev_lon) / 2), 2)
                 ))) AS km, ep - prev_ep AS elapsed
          FROM moves WHERE prev_atm IS NOT NULL AND prev_atm <> atm_id
        ), travel AS (
          SELECT transaction_id, account_id, card_id, occurred_at, 'impossible_travel' AS rule,
                 printf('%.1f km from ATM %s in %.1f minutes', km, prev_atm, elapsed / 60.0) AS detail
          FROM measured
          WHERE elapsed < {rules.travel_window_seconds} AND km >= {rules.travel_min_km}
            AND (elapsed <= 0 OR km / (elapsed / 3600.0) > {rules.travel_max_kmh})
        ), capped AS (
          SELECT a.*, c.cap FROM activity a JOIN ({maxima}) c USING (currency)
          WHERE a.operation IN ({withdrawals}) AND a.amount = c.cap
        ), repeated AS (
          SELECT transaction_id, account_id, card_id, occurred_at, 'repeated_max_amount' AS rule,
                 printf('%d withdrawals of the maximum amount %s %s within %s',
                        n, cap::VARCHAR, currency, {max_amount_window}) AS detail
          FROM (SELECT *, count(*) OVER (PARTITION BY card_id ORDER BY ep
                  RANGE BETWEEN {rules.max_amount_window_seconds} PRECEDING AND CURRENT ROW) AS n
                FROM capped)
          WHERE n >= {rules.max_amount_count}
        )
        SELECT * FROM bursts UNION ALL SELECT * FROM travel UNION ALL SELECT * FROM repeated
        ORDER BY card_id, occurred_at, transaction_id, rule
        """,
    }


def run(
    input_glob: str,
    out: Path,
    now: datetime,
    run_id: str = "reference",
    threads: int = 2,
    max_future_minutes: int | None = None,
) -> dict:
    contract = load_contract()
    # The contract's limit, as the job applies it, unless the caller overrides it like --max-future-minutes.
    max_future_minutes = contract.future_limit_minutes(max_future_minutes)
    replace_output_folder(out)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")
    names = contract.property_names
    # Lines as text first, like the job: a malformed line must reach the quarantine verbatim.
    con.execute(f"""
    CREATE TEMP TABLE lines AS
    SELECT line AS raw_line, filename AS source_file
    FROM read_csv({quote(input_glob)}, columns = {{'line': 'VARCHAR'}}, delim = '\x01', quote = '',
                  escape = '', header = false, auto_detect = false, filename = true,
                  max_line_size = 100000000)
    WHERE regexp_matches(line, '\\S')
    """)

    # Kinds and texts materialised once: every check refers to them (as in bankpipe.validation).
    # One list of paths per function: DuckDB then parses each document once per function instead of
    # once per field.
    paths = "[" + ", ".join(quote("$." + json.dumps(n)) for n in names) + "]"
    json_types = ", ".join(f"jt[{i}] AS {ident('j_' + n)}" for i, n in enumerate(names, start=1))
    texts = ", ".join(f"jv[{i}] AS {text(n)}" for i, n in enumerate(names, start=1))
    kinds = ", ".join(f"{_KINDS.format(t=ident('j_' + n))} AS {kind(n)}" for n in names)
    con.execute(f"""
    CREATE TEMP TABLE parsed AS
    WITH checked AS (
      SELECT raw_line, source_file,
             CASE WHEN NOT json_valid(raw_line) THEN 'malformed_json'
                  WHEN json_type(raw_line) <> 'OBJECT' THEN 'not_an_object' END AS json_error
      FROM lines
    ), docs AS (
      SELECT *, CASE WHEN json_error IS NULL THEN raw_line::JSON END AS doc FROM checked
    ), lists AS (
      SELECT *, json_type(doc, {paths}) AS jt, json_extract_string(doc, {paths}) AS jv FROM docs
    ), typed AS (
      SELECT raw_line, source_file, json_error, doc, {json_types}, {texts} FROM lists
    ), kinded AS (
      SELECT raw_line, source_file, json_error, doc, {", ".join(text(n) for n in names)}, {kinds} FROM typed
    )
    SELECT *{numbers(contract)} FROM kinded
    """)
    read = con.execute("SELECT count(*) FROM lines").fetchone()[0]
    con.execute("DROP TABLE lines")  # each step drops what it no longer needs: 10M lines are ~3 GiB
    # raw_line is kept only on quarantined rows, like the job: a hash of it breaks dedup ties.
    con.execute(f"""
    CREATE TEMP TABLE classified AS
    SELECT * REPLACE (CASE WHEN reason IS NOT NULL THEN raw_line END AS raw_line) FROM (
      SELECT raw_line, hash(raw_line) AS line_hash, source_file,
             {reason_sql(contract, now, max_future_minutes)} AS reason,
             {", ".join(f"({typed_value(r)}) AS {ident(r.name)}" for r in contract.properties)},
             {extra_fields_sql(contract)} AS extra_fields
      FROM parsed
    )
    """)
    con.execute("DROP TABLE parsed")
    # A bad line's identity is its text, as in bankpipe.dedup: identical ones are quarantined once.
    con.execute("""
    CREATE TEMP TABLE bad_ranked AS
    SELECT reason, raw_line, source_file,
           row_number() OVER (PARTITION BY raw_line ORDER BY occurred_at NULLS LAST, line_hash,
                              source_file) AS rank
    FROM classified WHERE reason IS NOT NULL
    """)
    (out / "quarantine").mkdir(parents=True, exist_ok=True)
    con.execute(f"""
    COPY (SELECT {quote(run_id)} AS run_id, reason, raw_line, source_file FROM bad_ranked WHERE rank = 1)
    TO {quote(str(out / "quarantine" / "part-0.json"))} (FORMAT JSON)
    """)
    by_reason = dict(
        con.execute("SELECT reason, count(*) FROM bad_ranked WHERE rank = 1 GROUP BY 1 ORDER BY 1").fetchall()
    )
    bad_copies = con.execute("SELECT count(*) FROM bad_ranked WHERE rank > 1").fetchone()[0]
    con.execute("DROP TABLE bad_ranked")
    con.execute("""
    CREATE TEMP TABLE ranked AS
    SELECT * EXCLUDE (raw_line, reason),
           row_number() OVER (PARTITION BY transaction_id ORDER BY occurred_at NULLS LAST, line_hash,
                              source_file) AS rank
    FROM classified WHERE reason IS NULL
    """)
    con.execute("DROP TABLE classified")
    duplicates = con.execute("SELECT count(*) FROM ranked WHERE rank > 1").fetchone()[0] + bad_copies
    columns = ", ".join(ident(n) for n in names)
    con.execute(f"""
    CREATE TEMP TABLE txn AS
    SELECT {columns}, extra_fields,
           hour(occurred_at)::INTEGER AS txn_hour, year(occurred_at)::INTEGER AS year,
           month(occurred_at)::INTEGER AS month,
           CAST(CASE WHEN type = {quote(DEBIT_TYPE)} THEN -amount ELSE amount END AS DECIMAL(18,2))
             AS signed_amount,
           status IN ({", ".join(quote(s) for s in FAILURE_STATUSES)}) AS is_failure,
           NULL::VARCHAR AS age_band, NULL::VARCHAR AS gender, {quote(run_id)} AS run_id, source_file,
           CAST(occurred_at AS DATE) AS txn_date
    FROM ranked WHERE rank = 1
    """)
    con.execute("DROP TABLE ranked")
    con.execute(f"COPY txn TO {quote(str(out / 'transactions'))} (FORMAT PARQUET, PARTITION_BY (txn_date))")
    written = {"transactions": con.execute("SELECT count(*) FROM txn").fetchone()[0]}
    # A report that needs a column no transaction has is left out, as by the job (no customer file).
    skipped = [
        report.name
        for report in load_reports()
        if report.requires
        and not con.execute(f"SELECT count({ident(report.requires)}) FROM {REFERENCE_TABLE}").fetchone()[0]
    ]
    for name, sql in report_queries(DEFAULT_RULES, skipped).items():
        target = out / "reports" / f"{name}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY ({sql}) TO {quote(str(target))} (FORMAT PARQUET)")
        written[name] = con.execute(f"SELECT count(*) FROM read_parquet({quote(str(target))})").fetchone()[0]
    return {
        "counts": {
            "read": read,
            "valid": written["transactions"],
            "quarantined": sum(by_reason.values()),
            "quarantined_by_reason": by_reason,
            "duplicates": duplicates,
            "written": written,
        },
    }


def replace_output_folder(out: Path) -> None:
    """Empty ``out`` for a new run, but only a folder this script made: --out is deleted first."""
    if out.exists() and any(out.iterdir()) and not (out / OUTPUT_MARKER).exists():
        raise SystemExit(
            f"--out {out} is not empty and was not written by this script (no {OUTPUT_MARKER} in it); "
            "give an empty or new folder"
        )
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / OUTPUT_MARKER).write_text("written by scripts/atm_duckdb_reference.py; replaced on every run\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--input", required=True, help="glob of JSON-lines files")
    parser.add_argument("--out", required=True, type=Path, help="output folder (replaced)")
    parser.add_argument(
        "--now", required=True, type=parse_instant, help="ISO-8601 instant with an offset or Z"
    )
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.input, args.out, args.now, threads=args.threads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
