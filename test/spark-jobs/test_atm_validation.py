"""parse + validation on a handful of rows: JSON kinds survive parsing, one precise reason per bad row.

All lines of this module are parsed and validated in ONE Spark job (module fixture): every distinct
Spark plan costs seconds of code generation on a shared 2-core machine.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bankpipe.contract import load_contract
from bankpipe.parse import drop_blank_lines, extra_fields_json, json_kind, parse_json_lines
from bankpipe.validation import validate
from fixtures.atm_rows import build_rows

NOW = datetime(2024, 6, 1, tzinfo=UTC)
KIND_FIELDS = (
    "transaction_id",
    "account_id",
    "amount",
    "currency",
    "card_id",
    "purpose",
    "city",
    "latitude",
    "status",
)


def valid_row(**changes) -> str:
    """A valid branch payment; ``field=...`` removes a field, other values replace it."""
    row = {
        "transaction_id": "V-1",
        "account_id": "ACC00001",
        "occurred_at": "2024-01-31T10:15:00Z",
        "type": "debit",
        "operation": "payment",
        "amount": "10.00",
        "currency": "CZK",
        "channel": "branch",
        "status": "completed",
    }
    for key, value in changes.items():
        if value is ...:
            row.pop(key, None)
        else:
            row[key] = value
    return json.dumps(row)


ATM_ROW = next(row for row in build_rows(20, seed=5) if row["channel"] == "atm") | {
    "amount": 120.5,
    "occurred_at": "2024-01-31T12:15:00+02:00",
}
KINDS_LINE = json.dumps(
    {
        "transaction_id": 123,
        "account_id": "123",
        "amount": "12.50",
        "currency": True,
        "card_id": None,
        "purpose": {"a": 1},
        "city": ["x"],
        "latitude": 1.5,
    }
)
TRICKY_PURPOSE = 'say "hi" \\ to: "you", {not json}'
TRICKY_LINE = valid_row(transaction_id="V-tricky", purpose=TRICKY_PURPOSE, account_id="Žluťoučký kůň")
EXTRAS = {"terminal": {"id": "T-9", "tags": ["a", 1]}, "retries": 2, "note": 'q"uote'}
EXTRAS_LINE = json.dumps(json.loads(valid_row(transaction_id="V-extras")) | EXTRAS)
SOON_LINE = valid_row(transaction_id="V-soon", occurred_at="2024-06-01T00:30:00Z")
LATE_LINE = valid_row(transaction_id="V-late", occurred_at="2024-06-01T01:30:00Z")
BAD_ROWS = [
    ("{not json", "malformed_json"),
    ("[1, 2]", "not_an_object"),
    (valid_row(amount=...), "missing_field:amount"),
    (valid_row(amount=None), "null_value:amount"),
    (valid_row(amount="1.234"), "pattern_mismatch:amount"),
    (valid_row(amount=1.234), "not_multiple_of:amount"),
    (valid_row(amount=0), "below_minimum:amount"),
    (valid_row(channel="kiosk"), "invalid_enum:channel"),
    (valid_row(transaction_id=5), "invalid_type:transaction_id"),
    (valid_row(currency="Kc"), "pattern_mismatch:currency"),
    (valid_row(occurred_at="2024-04-31T00:00:00Z"), "invalid_timestamp:occurred_at"),
    (valid_row(channel="atm"), "missing_field:atm_id"),
    (valid_row(latitude=-91), "below_minimum:latitude"),
    # Missing required fields come before bad values, bad values before conditional requirements.
    (valid_row(amount=..., currency="x", channel="atm"), "missing_field:amount"),
    (valid_row(currency="x", channel="atm"), "pattern_mismatch:currency"),
    (LATE_LINE, "future_timestamp:occurred_at"),
]
ALL_LINES = [json.dumps(ATM_ROW), valid_row(), KINDS_LINE, TRICKY_LINE, EXTRAS_LINE, SOON_LINE] + [
    line for line, _ in BAD_ROWS
]


def lines(spark, raw_lines):
    return spark.createDataFrame(
        [(line, "file:///in/a.jsonl") for line in raw_lines], "raw_line string, source_file string"
    )


@pytest.fixture(scope="module")
def contract(schema_path):
    return load_contract(str(schema_path))


@pytest.fixture(scope="module")
def results(spark, contract) -> dict[str, dict]:
    parsed = parse_json_lines(lines(spark, ALL_LINES), contract)
    validated = validate(parsed, contract, NOW, 60).select(
        "*",
        extra_fields_json(contract).alias("extra"),
        *[json_kind(name).alias(f"kind_{name}") for name in KIND_FIELDS],
    )
    return {row.raw_line: row.asDict() for row in validated.collect()}


def test_drop_blank_lines_keeps_everything_else(spark):
    kept = drop_blank_lines(lines(spark, ["", "   ", "\t", "x", " {} "])).collect()
    assert [row.raw_line for row in kept] == ["x", " {} "]


def test_json_kinds_survive_parsing(results):
    row = results[KINDS_LINE]
    assert {name: row[f"kind_{name}"] for name in KIND_FIELDS} == {
        "transaction_id": "number",
        "account_id": "string",
        "amount": "string",
        "currency": "boolean",
        "card_id": "null",
        "purpose": "object",
        "city": "array",
        "latitude": "number",
        "status": "absent",
    }


def test_escaped_quotes_and_unicode_do_not_confuse_the_string_marker(results):
    row = results[TRICKY_LINE]
    assert row["reason"] is None
    assert row["purpose"] == TRICKY_PURPOSE
    assert row["account_id"] == "Žluťoučký kůň"


def test_valid_rows_have_no_reason_and_typed_values(results):
    atm = results[json.dumps(ATM_ROW)]
    assert atm["reason"] is None
    assert atm["amount"] == Decimal("120.50")
    assert atm["occurred_at"] == datetime(2024, 1, 31, 10, 15)  # +02:00 converted; session time zone is UTC
    assert atm["latitude"] == ATM_ROW["latitude"]
    assert atm["channel"] == "atm"
    plain = results[valid_row()]
    assert (plain["reason"], plain["amount"], plain["latitude"]) == (None, Decimal("10.00"), None)


def test_bad_rows_get_a_specific_reason(results):
    assert [(line, results[line]["reason"]) for line, _ in BAD_ROWS] == BAD_ROWS


def test_future_limit_is_relative_to_now(spark, contract, results):
    assert results[SOON_LINE]["reason"] is None
    assert results[LATE_LINE]["reason"] == "future_timestamp:occurred_at"
    strict = validate(parse_json_lines(lines(spark, [SOON_LINE]), contract), contract, NOW, 0)
    assert [row.reason for row in strict.select("reason").collect()] == ["future_timestamp:occurred_at"]


def test_extra_fields_are_carried_with_their_json_types(results):
    assert json.loads(results[EXTRAS_LINE]["extra"]) == EXTRAS
    assert results[EXTRAS_LINE]["reason"] is None
    assert results[valid_row()]["extra"] is None


def test_a_filter_on_reason_does_not_parse_each_line_once_per_field(spark, contract):
    """Regression guard: the optimiser must not copy from_json into every field check when a filter
    on ``reason`` is pushed down (it did: ~500 parses per line)."""
    validated = validate(parse_json_lines(lines(spark, [valid_row()]), contract), contract, NOW, 60)
    plan = validated.where("reason IS NULL")._jdf.queryExecution().optimizedPlan().toString()
    assert plan.count("from_json(") <= 3
