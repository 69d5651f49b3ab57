"""The future limit of occurred_at has one home: x-maxFutureMinutes in contracts/transaction.schema.json.

The ATM job quarantines later event times (future_timestamp:occurred_at) and the live consumer skips them
(test/lambda/live-alerts/transaction-future-limit.test.ts); both read this key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bankpipe.contract import MAX_FUTURE_MINUTES_KEYWORD, ContractError, contract_from_schema, load_contract
from bankpipe.job import parse_args


def _schema(schema_path: Path) -> dict:
    return json.loads(schema_path.read_text())


def test_the_contract_names_the_limit(schema_path: Path) -> None:
    written = _schema(schema_path)["properties"]["occurred_at"][MAX_FUTURE_MINUTES_KEYWORD]
    assert load_contract(str(schema_path)).max_future_minutes == written == 60


def test_the_limit_is_not_a_property_rule(schema_path: Path) -> None:
    """The key is read for the future check; it is no JSON Schema keyword the job would refuse."""
    contract = load_contract(str(schema_path))
    assert contract.rule("occurred_at").storage_type == "timestamp"


@pytest.mark.parametrize("value", [-1, 1.5, "60", True, None])
def test_a_bad_limit_is_refused_with_its_name(schema_path: Path, value: object) -> None:
    changed = _schema(schema_path)
    changed["properties"]["occurred_at"][MAX_FUTURE_MINUTES_KEYWORD] = value
    with pytest.raises(ContractError, match=r"x-maxFutureMinutes of property 'occurred_at' must be a whole"):
        contract_from_schema(changed, "changed.json")


def test_a_contract_without_the_limit_leaves_it_to_the_job(schema_path: Path) -> None:
    changed = _schema(schema_path)
    del changed["properties"]["occurred_at"][MAX_FUTURE_MINUTES_KEYWORD]
    assert contract_from_schema(changed, "changed.json").max_future_minutes is None


def test_the_job_takes_the_contract_limit_unless_told(schema_path: Path) -> None:
    contract = load_contract(str(schema_path))
    required = ["--input", "in", "--output", "out", "--quarantine", "q", "--run-id", "r-1"]
    untold = parse_args(required).max_future_minutes
    told = parse_args([*required, "--max-future-minutes", "5"]).max_future_minutes
    assert contract.future_limit_minutes(untold) == contract.max_future_minutes
    assert contract.future_limit_minutes(told) == 5


def test_the_job_refuses_a_contract_without_a_limit(schema_path: Path) -> None:
    changed = _schema(schema_path)
    del changed["properties"]["occurred_at"][MAX_FUTURE_MINUTES_KEYWORD]
    contract = contract_from_schema(changed, "changed.json")
    required = ["--input", "in", "--output", "out", "--quarantine", "q", "--run-id", "r-1"]
    with pytest.raises(ContractError, match="no x-maxFutureMinutes: add it there"):
        contract.future_limit_minutes(parse_args(required).max_future_minutes)
