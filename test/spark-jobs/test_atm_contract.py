"""Contract loading and rule derivation (no Spark needed), plus cross-checks of the test corpora
against the reference validator (the jsonschema package)."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from bankpipe import contract as contract_module
from bankpipe.contract import ContractError, contract_from_schema, load_contract, locate_schema_text
from bankpipe.package import build_zip
from fixtures.atm_rows import build_rows
from fixtures.corpus import BEYOND_SCHEMA_REASONS, load_bad_lines
from fixtures.packaged_zip import run_with_only_the_zip


@pytest.fixture(scope="module")
def schema(schema_path: Path) -> dict:
    return json.loads(schema_path.read_text())


class NonStandardJsonError(ValueError):
    """NaN / Infinity tokens: accepted by Python's and Spark's parsers, not JSON."""


def _reject_constant(token: str) -> None:
    raise NonStandardJsonError(token)


def exact_loads(text: str) -> object:
    """Numbers as Decimal so that multipleOf 0.01 is checked exactly (as the job does): with floats,
    jsonschema rejects e.g. 71.85 because 71.85 / 0.01 is 7184.999... in binary floating point."""
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


@pytest.fixture(scope="module")
def validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(exact_loads(schema_path.read_text()))


def test_rules_are_derived_from_the_schema_file(schema: dict, schema_path: Path) -> None:
    contract = load_contract(str(schema_path))
    assert contract.required == tuple(schema["required"])
    assert contract.property_names == tuple(schema["properties"])
    assert contract.enum_values("channel") == tuple(schema["properties"]["channel"]["enum"])
    assert contract.enum_values("status") == tuple(schema["properties"]["status"]["enum"])
    currency = contract.rule("currency").alternatives[0]
    assert currency.pattern == schema["properties"]["currency"]["pattern"]
    [atm_rule] = contract.conditionals
    assert atm_rule.conditions == (("channel", ("atm",)),)
    assert atm_rule.required == tuple(schema["allOf"][0]["then"]["required"])


def test_storage_types_follow_the_json_types(schema_path: Path) -> None:
    contract = load_contract(str(schema_path))
    assert contract.rule("amount").storage_type == "decimal(18,2)"
    assert contract.rule("balance_after").storage_type == "decimal(18,2)"
    assert contract.rule("occurred_at").storage_type == "timestamp"
    assert contract.rule("latitude").storage_type == "double"
    assert contract.rule("card_id").storage_type == "string"
    assert contract.rule("channel").storage_type == "string"


def test_a_changed_contract_changes_the_rules(schema: dict) -> None:
    changed = json.loads(json.dumps(schema))
    changed["properties"]["channel"]["enum"].append("kiosk")
    changed["required"].append("card_id")
    contract = contract_from_schema(changed)
    assert "kiosk" in contract.enum_values("channel")
    assert contract.required[-1] == "card_id"


def test_unsupported_keywords_fail_loudly(schema: dict) -> None:
    changed = json.loads(json.dumps(schema))
    changed["properties"]["city"]["contentEncoding"] = "base64"
    with pytest.raises(ContractError, match="contentEncoding"):
        contract_from_schema(changed, "changed.json")


def test_business_values_missing_from_the_contract_fail_loudly(schema: dict) -> None:
    changed = json.loads(json.dumps(schema))
    changed["properties"]["status"]["enum"].remove("declined")
    contract = contract_from_schema(changed, "changed.json")
    with pytest.raises(ContractError, match="declined"):
        contract.require_enum_values("status", ("declined", "failed"))


def test_lookup_prefers_explicit_then_packaged_then_repo(tmp_path: Path, schema_path: Path) -> None:
    custom = tmp_path / "custom.schema.json"
    custom.write_text(schema_path.read_text())
    assert locate_schema_text(str(custom))[1] == str(custom)
    assert locate_schema_text(f"file://{custom}")[1] == str(custom)
    text, source = locate_schema_text(None)
    assert source == str(contract_module.REPO_SCHEMA_PATH)
    assert json.loads(text)["title"] == "Transaction"
    with pytest.raises(ContractError, match="cannot read"):
        locate_schema_text(str(tmp_path / "missing.json"))


def test_packaged_zip_carries_the_schema_and_is_found_inside_the_zip(
    tmp_path: Path, schema_path: Path
) -> None:
    archive = build_zip(tmp_path / "bankpipe.zip", schema_path)
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        assert "bankpipe/transaction.schema.json" in names
        assert "bankpipe/job.py" in names
        assert opened.read("bankpipe/transaction.schema.json") == schema_path.read_bytes()
    # In a fresh interpreter that only sees the zip, the packaged copy is the one found.
    probe = (
        "from bankpipe.contract import locate_schema_text, load_contract;"
        "print(locate_schema_text()[1]); print(len(load_contract().required))"
    )
    source, required = run_with_only_the_zip(archive, probe, tmp_path).split("\n")[:2]
    assert source == "bankpipe/transaction.schema.json (packaged)"
    assert int(required) == len(json.loads(schema_path.read_text())["required"])


def test_zip_is_reproducible(tmp_path: Path, schema_path: Path) -> None:
    first = build_zip(tmp_path / "a.zip", schema_path).read_bytes()
    second = build_zip(tmp_path / "b.zip", schema_path).read_bytes()
    assert first == second


def test_builder_rows_are_valid_for_the_reference_validator(validator) -> None:
    rows = [exact_loads(json.dumps(row)) for row in build_rows(200, seed=3)]
    problems = [
        (row["transaction_id"], error.message) for row in rows for error in validator.iter_errors(row)
    ]
    assert problems == []
    assert {row["channel"] for row in rows} >= {"atm", "branch"}


def test_float_validators_disagree_on_two_decimal_numbers(schema: dict) -> None:
    """Why the job checks decimals exactly: a float-based validator rejects a legal amount."""
    document = dict(build_rows(1)[0], amount=71.85)
    assert not jsonschema.Draft202012Validator(schema).is_valid(document)
    assert jsonschema.Draft202012Validator(exact_loads(json.dumps(schema))).is_valid(
        exact_loads(json.dumps(document))
    )


def test_corpus_lines_are_invalid_for_the_reference_validator(validator) -> None:
    """Keeps the corpus honest: each bad line is rejected by a strict JSON parser or by jsonschema,
    except the checks that go beyond JSON Schema (stored range, real instants, future timestamps)."""
    cases = load_bad_lines()
    assert len({case.reason for case in cases}) >= 20
    for case in cases:
        try:
            document = exact_loads(case.raw_line)
        except NonStandardJsonError:
            assert case.reason == "malformed_json", case
            continue
        except json.JSONDecodeError:
            assert case.reason == "malformed_json", case
            continue
        if case.reason.split(":")[0] in BEYOND_SCHEMA_REASONS:
            assert validator.is_valid(document), case
            if case.reason == "invalid_timestamp:occurred_at":
                with pytest.raises(ValueError):
                    datetime.fromisoformat(document["occurred_at"])
            continue
        assert not validator.is_valid(document), case
