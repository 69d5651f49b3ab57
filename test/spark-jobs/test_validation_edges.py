"""Contract validation pinned at its edges: every bound exactly at it, one step inside, one step outside.

Steps: for JSON numbers the nearest double (the parser reads numbers through a double), for money the
cent, for strings one character (a code point, as JSON Schema counts), for timestamps the microsecond
Spark keeps. Each module-level table is validated in ONE Spark job (module fixtures), because every
distinct plan costs seconds of code generation; `make mutation` runs this file against mutants of
bankpipe/validation.py. Each job's results are checked inside the test that runs it, not in tests
sharing a module fixture: mutmut runs, for a mutant, only the tests that called the mutated function,
and a shared fixture calls it during the first of them only.

Two contracts are used: the product's contract, and a small one built here for the keywords the
product's contract does not use yet (integer, exclusiveMaximum, minLength above 1, maxLength with a
pattern, booleans, oneOf branches of the same JSON type (two or three of them), anyOf,
additionalProperties false, a conditional on several values), so that validation.py keeps honouring
them when the contract grows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import reduce

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.contract import contract_from_schema, load_contract
from bankpipe.parse import parse_json_lines
from bankpipe.validation import validate

NOW = datetime(2024, 6, 1, tzinfo=UTC)
MAX_FUTURE_MINUTES = 60
LIMIT = "2024-06-01T01:00:00"  # NOW + 60 minutes


def atm_line(**changes: object) -> str:
    """A valid ATM withdrawal; ``field=...`` removes a field, other values replace it."""
    row: dict[str, object] = {
        "transaction_id": "E-1",
        "account_id": "ACC00001",
        "occurred_at": "2024-01-31T10:15:00Z",
        "type": "debit",
        "operation": "cash_withdrawal",
        "amount": 100,
        "currency": "CZK",
        "channel": "atm",
        "status": "completed",
        "atm_id": "ATM-1",
        "atm_location": "Main St 1",
        "city": "Praha",
        "country": "CZ",
        "latitude": 50.08,
        "longitude": 14.42,
    }
    for key, value in changes.items():
        if value is ...:
            row.pop(key, None)
        else:
            row[key] = value
    return json.dumps(row, ensure_ascii=False)


def with_raw(line: str, field: str, json_text: str) -> str:
    """Replace ``field``'s value with literal JSON text (json.dumps would reformat numbers like 9e1)."""
    row = json.loads(line)
    row[field] = "__RAW__"
    return json.dumps(row, ensure_ascii=False).replace('"__RAW__"', json_text)


def lines(spark, raw_lines: list[str]):
    return spark.createDataFrame(
        [(line, "file:///in/a.jsonl") for line in raw_lines], "raw_line string, source_file string"
    )


def validated_rows(spark, contract, raw_lines: list[str], now: datetime = NOW) -> dict[str, dict]:
    frame = validate(parse_json_lines(lines(spark, raw_lines), contract), contract, now, MAX_FUTURE_MINUTES)
    return {row.raw_line: row.asDict() for row in frame.collect()}


# ---- keywords the product contract does not use (yet); first, as the fastest to validate ---------

EDGE_SCHEMA = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-z]+$"},
        "kind": {"enum": ["a", "b", "c"]},
        "count": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10},
        "big": {"type": "integer"},
        "ratio": {"type": "number", "exclusiveMinimum": -1.5, "maximum": 2.5, "multipleOf": 0.5},
        "flag": {"type": "boolean"},
        "pick": {"oneOf": [{"type": "integer", "maximum": 5}, {"type": "number", "minimum": 3}]},
        "either": {"anyOf": [{"type": "integer", "maximum": 5}, {"type": "number", "minimum": 3}]},
        "trio": {
            "oneOf": [{"type": "integer", "maximum": 5}, {"type": "number", "minimum": 3}, {"type": "string"}]
        },
        "note": {"type": ["string", "null"], "maxLength": 2},
        "when": {"type": "string", "format": "date-time"},
        "occurred_at": {"type": "string", "format": "date-time"},
    },
    "allOf": [{"if": {"properties": {"kind": {"enum": ["a", "b"]}}}, "then": {"required": ["count"]}}],
    "additionalProperties": False,
}


def edge_line(**fields: object) -> str:
    return json.dumps({"id": "ab", **fields})


EDGE_CASES: list[tuple[str, str | None]] = [
    (edge_line(), None),
    # a line that is no JSON object is reported as such, before any field check
    ('{"id": "ab"', "malformed_json"),
    ('["ab"]', "not_an_object"),
    # string: minLength 2, maxLength 3, then the pattern
    (edge_line(id="a"), "too_short:id"),
    (edge_line(id="abc"), None),
    (edge_line(id="abcd"), "too_long:id"),
    (edge_line(id=""), "too_short:id"),
    (edge_line(id="AB"), "pattern_mismatch:id"),
    (edge_line(id="A"), "too_short:id"),  # length is checked before the pattern
    (json.dumps({"kind": "c"}), "missing_field:id"),
    # integer: minimum 1 (inclusive), exclusiveMaximum 10
    (edge_line(count=1), None),
    (edge_line(count=0), "below_minimum:count"),
    (edge_line(count=9), None),
    (edge_line(count=10), "above_maximum:count"),
    (edge_line(count=9.0), None),  # JSON Schema: a number with a zero fraction is an integer
    (edge_line(count=1.5), "invalid_type:count"),
    (edge_line(count=0.5), "invalid_type:count"),  # the type is checked before the bounds
    (edge_line(count="5"), "invalid_type:count"),
    (edge_line(big=9223372036854775807), None),
    (edge_line(big=9223372036854775808), "out_of_range:big"),  # beyond bigint
    (edge_line(big=-9223372036854775808), None),
    # number: exclusiveMinimum -1.5, maximum 2.5, multipleOf 0.5
    (edge_line(ratio=-1.5), "below_minimum:ratio"),
    (edge_line(ratio=-1.0), None),
    (edge_line(ratio=-1.4999999999999998), "not_multiple_of:ratio"),
    (edge_line(ratio=2.5), None),
    (edge_line(ratio=2.5000000000000004), "above_maximum:ratio"),
    (edge_line(ratio=0.25), "not_multiple_of:ratio"),
    (edge_line(ratio=-2), "below_minimum:ratio"),  # bounds are checked before multipleOf
    # boolean
    (edge_line(flag=False), None),
    (edge_line(flag="true"), "invalid_type:flag"),
    (edge_line(flag=0), "invalid_type:flag"),
    # oneOf: exactly one branch; branches of the same JSON type are all tried
    (edge_line(pick=2), None),  # integer branch only
    (edge_line(pick=6), None),  # number branch only (the integer branch's maximum fails)
    (edge_line(pick=4.5), None),  # number branch only (not an integer)
    (edge_line(pick=4), "ambiguous_one_of:pick"),  # both branches
    (edge_line(pick=2.5), "invalid_type:pick"),  # neither: the first branch of its type gives the reason
    (edge_line(pick="4"), "invalid_type:pick"),
    # oneOf with three branches: two accepting is ambiguous although the third does not
    (edge_line(trio=4), "ambiguous_one_of:trio"),
    (edge_line(trio=6), None),
    (edge_line(trio="4"), None),
    # anyOf: at least one branch
    (edge_line(either=4), None),
    (edge_line(either=6), None),
    (edge_line(either=2.5), "invalid_type:either"),
    # nullable string with maxLength
    (edge_line(note=None), None),
    (edge_line(note="ab"), None),
    (edge_line(note="abc"), "too_long:note"),
    (edge_line(note=1), "invalid_type:note"),
    # format date-time without a pattern
    (edge_line(when="2024-02-29T00:00:00Z"), None),
    (edge_line(when="2024-02-30T00:00:00Z"), "invalid_timestamp:when"),
    # the future limit applies to occurred_at only
    (edge_line(when="2030-01-01T00:00:00Z"), None),
    (edge_line(occurred_at=f"{LIMIT}Z"), None),
    (edge_line(occurred_at="2024-06-01T01:00:00.000001Z"), "future_timestamp:occurred_at"),
    # conditional on several values: kind a or b needs count
    (edge_line(kind="a"), "missing_field:count"),
    (edge_line(kind="b"), "missing_field:count"),
    (edge_line(kind="b", count=3), None),
    (edge_line(kind="c"), None),
    (edge_line(kind="d"), "invalid_enum:kind"),
    # additionalProperties false: one unknown key is enough; with several, the first in the line
    (edge_line(extra=1), "unexpected_field:extra"),
    (edge_line(zeta=1, alpha=2), "unexpected_field:zeta"),
    (edge_line(kind=None), "null_value:kind"),
    # property checks come before the conditional requirement, which comes before unknown keys
    (edge_line(kind="a", extra=1, id="x"), "too_short:id"),
    (edge_line(kind="a", extra=1), "missing_field:count"),
]


@pytest.fixture(scope="module")
def edge_contract():
    return contract_from_schema(EDGE_SCHEMA, "edge-schema")


def test_edge_contract_reasons_and_typed_values(spark, edge_contract):
    edge_results = validated_rows(spark, edge_contract, [line for line, _ in EDGE_CASES])
    got = [(line, edge_results[line]["reason"]) for line, _ in EDGE_CASES]
    assert got == EDGE_CASES
    assert edge_results[edge_line(count=9.0)]["count"] == 9
    assert edge_results[edge_line(big=9223372036854775807)]["big"] == 9223372036854775807
    assert edge_results[edge_line(big=-9223372036854775808)]["big"] == -9223372036854775808
    assert edge_results[edge_line(ratio=-1.0)]["ratio"] == -1.0
    assert edge_results[edge_line(flag=False)]["flag"] is False
    assert edge_results[edge_line(pick=6)]["pick"] == "6"  # mixed-branch values are kept as JSON text
    assert edge_results[edge_line(when="2024-02-29T00:00:00Z")]["when"] == datetime(2024, 2, 29)
    assert edge_results[edge_line(note="ab")]["note"] == "ab"


# Only occurred_at: the future limit needs nothing else, and a smaller contract is a smaller plan.
FUTURE_SCHEMA = {"type": "object", "properties": {"occurred_at": EDGE_SCHEMA["properties"]["occurred_at"]}}


def test_the_future_limit_follows_now_to_the_microsecond(spark):
    """A ``now`` with microseconds moves the limit by exactly those microseconds, in any time zone."""
    contract = contract_from_schema(FUTURE_SCHEMA, "future-schema")
    line_at_limit = json.dumps({"occurred_at": "2024-06-01T01:00:00.000002Z"})
    later = NOW + timedelta(microseconds=2)
    just_before = NOW + timedelta(microseconds=1)
    in_prague = later.astimezone(timezone(timedelta(hours=2)))
    checked = [
        validate(
            parse_json_lines(lines(spark, [line_at_limit]), contract), contract, now, MAX_FUTURE_MINUTES
        ).select(F.lit(label).alias("label"), "reason")
        for label, now in (("at", later), ("before", just_before), ("prague", in_prague))
    ]
    # One Spark job for the three: each distinct plan costs seconds.
    reasons = {row.label: row.reason for row in reduce(DataFrame.unionByName, checked).collect()}
    assert reasons == {"at": None, "before": "future_timestamp:occurred_at", "prague": None}


def test_now_without_a_time_zone_is_refused(spark, edge_contract):
    parsed = parse_json_lines(lines(spark, [edge_line()]), edge_contract)
    with pytest.raises(
        ValueError, match=r"^now must be timezone-aware \(UTC\) so the future-timestamp check is unambiguous$"
    ):
        validate(parsed, edge_contract, datetime(2024, 6, 1), MAX_FUTURE_MINUTES)


# ---- the product contract -------------------------------------------------------------------

# (line, expected reason). Numbers go through a double: 90.00000000000001 is the next double above 90.
PRODUCT_EDGES: list[tuple[str, str | None]] = [
    (atm_line(), None),
    # latitude: minimum -90, maximum 90 (inclusive)
    (atm_line(latitude=90), None),
    (atm_line(latitude=90.0), None),
    (atm_line(latitude=89.99999999999999), None),
    (atm_line(latitude=90.00000000000001), "above_maximum:latitude"),
    (atm_line(latitude=-90), None),
    (atm_line(latitude=-89.99999999999999), None),
    (atm_line(latitude=-90.00000000000001), "below_minimum:latitude"),
    (with_raw(atm_line(), "latitude", "9e1"), None),
    (with_raw(atm_line(), "latitude", "9.0000000000000001e1"), None),  # rounds to 90.0 as a double
    (with_raw(atm_line(), "latitude", "1e2"), "above_maximum:latitude"),
    (atm_line(latitude="90"), "invalid_type:latitude"),
    (atm_line(latitude=None), "null_value:latitude"),
    # longitude: -180..180
    (atm_line(longitude=180), None),
    (atm_line(longitude=180.00000000000003), "above_maximum:longitude"),
    (atm_line(longitude=-180), None),
    (atm_line(longitude=-180.00000000000003), "below_minimum:longitude"),
    # amount as a number: exclusiveMinimum 0, multipleOf 0.01
    (atm_line(amount=0.01), None),
    (atm_line(amount=0), "below_minimum:amount"),
    (atm_line(amount=0.0), "below_minimum:amount"),
    (atm_line(amount=-0.01), "below_minimum:amount"),
    (atm_line(amount=0.001), "not_multiple_of:amount"),
    (atm_line(amount=0.009), "not_multiple_of:amount"),
    (atm_line(amount=1.01), None),
    (atm_line(amount=1.015), "not_multiple_of:amount"),
    (atm_line(amount=9999999999999998), None),  # 16 integer digits: fits decimal(18,2)
    (atm_line(amount=10000000000000000), "out_of_range:amount"),  # 17 digits do not
    (with_raw(atm_line(), "amount", "1e21"), "out_of_range:amount"),  # beyond the checker's decimal(38,18)
    # amount as a string: the contract's pattern, 1..16 integer digits, at most 2 decimals, not zero
    (atm_line(amount="0.01"), None),
    (atm_line(amount="0.00"), "pattern_mismatch:amount"),
    (atm_line(amount="0"), "pattern_mismatch:amount"),
    (atm_line(amount="9999999999999999.99"), None),
    (atm_line(amount="10000000000000000"), "pattern_mismatch:amount"),
    (atm_line(amount="1.234"), "pattern_mismatch:amount"),
    (atm_line(amount=True), "invalid_type:amount"),
    # balance_after: number, numeric string or null; money must fit decimal(18,2)
    (atm_line(balance_after=None), None),
    (atm_line(balance_after=-9999999999999998), None),
    (atm_line(balance_after=-10000000000000000), "out_of_range:balance_after"),
    (atm_line(balance_after="-9999999999999999.99"), None),
    (atm_line(balance_after="-10000000000000000.00"), "pattern_mismatch:balance_after"),
    (atm_line(balance_after=[1]), "invalid_type:balance_after"),
    # string lengths: transaction_id 1..128, account_id 1..64, counted in code points
    (atm_line(transaction_id=""), "too_short:transaction_id"),
    (atm_line(transaction_id="x"), None),
    (atm_line(transaction_id="x" * 128), None),
    (atm_line(transaction_id="x" * 129), "too_long:transaction_id"),
    (atm_line(transaction_id="\U0001f4b3" * 128), None),
    (atm_line(transaction_id="\U0001f4b3" * 129), "too_long:transaction_id"),
    (atm_line(account_id="a" * 64), None),
    (atm_line(account_id="a" * 65), "too_long:account_id"),
    (atm_line(account_id=""), "too_short:account_id"),
    (atm_line(atm_id=""), "too_short:atm_id"),
    (atm_line(atm_id="1"), None),
    # enums: exact, case-sensitive, strings only
    (atm_line(channel="ATM"), "invalid_enum:channel"),
    (atm_line(channel="atm "), "invalid_enum:channel"),
    (atm_line(channel=""), "invalid_enum:channel"),
    (atm_line(channel=1), "invalid_enum:channel"),
    (atm_line(channel=None), "null_value:channel"),
    (atm_line(status="reversed"), None),
    (atm_line(type="credit", operation="cash_deposit"), None),
    # patterns anchored at both ends
    (atm_line(currency="CZKK"), "pattern_mismatch:currency"),
    (atm_line(country="cz"), "pattern_mismatch:country"),
    # conditional requirement: only channel = atm needs the ATM fields
    (atm_line(channel="branch", atm_id=..., latitude=...), None),
    (atm_line(latitude=...), "missing_field:latitude"),
    # dates: real calendar instants only
    (atm_line(occurred_at="2024-02-29T23:59:59Z"), None),
    (atm_line(occurred_at="2023-02-29T00:00:00Z"), "invalid_timestamp:occurred_at"),
    (atm_line(occurred_at="2024-01-31T24:00:00Z"), "invalid_timestamp:occurred_at"),
    (atm_line(occurred_at="2024-01-31T10:15:00"), "pattern_mismatch:occurred_at"),
    # the future limit (NOW + 60 min), microsecond by microsecond, in any offset
    (atm_line(occurred_at=f"{LIMIT}Z"), None),
    (atm_line(occurred_at="2024-06-01T00:59:59.999999Z"), None),
    (atm_line(occurred_at="2024-06-01T01:00:00.000001Z"), "future_timestamp:occurred_at"),
    (atm_line(occurred_at="2024-06-01T03:00:00+02:00"), None),
    (atm_line(occurred_at="2024-06-01T03:00:00.000001+02:00"), "future_timestamp:occurred_at"),
    (atm_line(occurred_at="2024-05-31T23:00:00.000001-02:00"), "future_timestamp:occurred_at"),
    # digits 7-9 of a fraction are below what Spark stores: 1 ns past the limit is the limit
    (atm_line(occurred_at="2024-06-01T01:00:00.000000999Z"), None),
    (atm_line(occurred_at="2024-06-01T01:00:00.000001999Z"), "future_timestamp:occurred_at"),
]


@pytest.fixture(scope="module")
def product_contract(schema_path):
    return load_contract(str(schema_path))


def test_product_contract_edges(spark, product_contract):
    product_results = validated_rows(spark, product_contract, [line for line, _ in PRODUCT_EDGES])
    got = [(line, product_results[line]["reason"]) for line, _ in PRODUCT_EDGES]
    assert got == PRODUCT_EDGES
    # values at the bounds keep their exact typed value
    assert product_results[atm_line(latitude=90)]["latitude"] == 90.0
    assert product_results[atm_line(latitude=-90)]["latitude"] == -90.0
    assert product_results[atm_line(amount=0.01)]["amount"] == Decimal("0.01")
    assert product_results[atm_line(amount="9999999999999999.99")]["amount"] == Decimal("9999999999999999.99")
    assert product_results[atm_line(amount=9999999999999998)]["amount"] == Decimal("9999999999999998.00")
    assert product_results[atm_line(balance_after=None)]["balance_after"] is None
    assert product_results[atm_line(occurred_at=f"{LIMIT}Z")]["occurred_at"] == datetime(2024, 6, 1, 1)
    nanos = product_results[atm_line(occurred_at="2024-06-01T01:00:00.000001999Z")]["occurred_at"]
    assert nanos == datetime(2024, 6, 1, 1, 0, 0, 1)
    assert product_results[atm_line(transaction_id="x" * 128)]["transaction_id"] == "x" * 128
    # a value of another JSON type is never typed
    assert product_results[atm_line(latitude="90")]["latitude"] is None
    assert product_results[atm_line(channel=1)]["channel"] is None
