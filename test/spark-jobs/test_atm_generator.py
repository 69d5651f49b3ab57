"""The ATM job on input from the project's TypeScript generator (tools/generator), run with a seed.

The generator writes its own truth (summary, list of bad lines with their kind, injected fraud), so
this is a cross-check of two independent implementations of the contract and the reports.
Skipped when Node/tsx or the generator is not available.
"""

from __future__ import annotations

import collections
import json
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bankpipe.job import JobConfig, run
from fixtures.outputs import read_manifest, read_quarantine, read_report
from fixtures.paths import REPO_ROOT

GENERATOR = REPO_ROOT / "tools" / "generator" / "cli.ts"
# Generator bad-line kind -> quarantine reasons the job may give for it (field-specific kinds are
# narrowed to the field named in the generator's detail below).
ALLOWED_REASONS = {
    "malformed_json": {"malformed_json"},
    "not_an_object": {"not_an_object"},
    "non_positive_amount": {"below_minimum:amount", "pattern_mismatch:amount"},
    "too_many_decimals": {"not_multiple_of:amount", "pattern_mismatch:amount"},
    "non_numeric_amount": {"pattern_mismatch:amount", "invalid_type:amount", "null_value:amount"},
    "far_future_timestamp": {"future_timestamp:occurred_at"},
}
# The job's fraud rule for each injected pattern.
RULE_OF_PATTERN = {
    "card_burst": "withdrawal_burst",
    "distant_atms": "impossible_travel",
    "repeated_max_withdrawal": "repeated_max_amount",
}


def reason_fits(kind: str, detail: dict, reason: str) -> bool:
    if kind in ALLOWED_REASONS:
        return reason in ALLOWED_REASONS[kind]
    problem, _, field = reason.partition(":")
    if kind == "missing_required_field":
        return reason == f"missing_field:{detail['field']}"
    if kind == "empty_required_field":
        return reason == f"too_short:{detail['field']}"
    if kind == "unknown_enum":
        return problem == "invalid_enum" and field == detail.get("field", field)
    if kind == "bad_currency":
        return field == "currency"
    if kind == "bad_timestamp":
        return field == "occurred_at" and problem != "future_timestamp"
    if kind == "atm_fields_missing":
        return problem == "missing_field" and field in detail["removed"]
    if kind == "coordinates_out_of_range":
        return problem in ("below_minimum", "above_maximum") and field == detail["field"]
    raise AssertionError(f"unknown generator kind {kind!r}: extend this test")


@pytest.fixture(scope="module")
def generated(tmp_path_factory, spark):
    npx = shutil.which("npx")
    if npx is None or not GENERATOR.exists() or not (REPO_ROOT / "node_modules" / ".bin" / "tsx").exists():
        pytest.skip("tools/generator with npx/tsx is not available")
    base = tmp_path_factory.mktemp("generated")
    truth = base / "truth"
    command = [
        npx,
        "tsx",
        str(GENERATOR),
        "--seed",
        "7",
        "--count",
        "3000",
        "--start",
        "2024-03-01",
        "--days",
        "7",
        "--files",
        "2",
        "--bad-ratio",
        "0.03",
        "--duplicate-ratio",
        "0.01",
        "--fraud-ratio",
        "0.02",
        "--out",
        str(base / "raw"),
        "--summary",
        str(truth / "summary.json"),
        "--customers-out",
        str(truth / "customers.jsonl"),
        "--bad-out",
        str(truth / "bad.jsonl"),
        "--fraud-out",
        str(truth / "fraud.jsonl"),
    ]
    truth.mkdir()
    subprocess.run(command, cwd=REPO_ROOT, check=True, capture_output=True, timeout=300)
    config = JobConfig(
        input_uris=[str(base / "raw")],
        output=str(base / "processed"),
        quarantine=str(base / "quarantine"),
        run_id="generated-1",
        customers=str(truth / "customers.jsonl"),
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    run(spark, config)
    return {
        "base": base,
        "summary": json.loads((truth / "summary.json").read_text()),
        "bad": [json.loads(line) for line in (truth / "bad.jsonl").read_text().splitlines()],
        "fraud": [json.loads(line) for line in (truth / "fraud.jsonl").read_text().splitlines()],
    }


def generated_bad_lines(generated) -> list[tuple[str, str, dict]]:
    """(text, kind, detail) of every bad line the generator wrote, from its --bad-out list."""
    raw = generated["base"] / "raw"
    lines = {path.name: path.read_text(encoding="utf-8").split("\n") for path in raw.glob("*.jsonl")}
    return [
        (lines[entry["file"]][entry["line"] - 1], entry["kind"], entry.get("detail") or {})
        for entry in generated["bad"]
        if entry["kind"] != "duplicate"
    ]


def test_counts_match_the_generator_summary(generated):
    counts = read_manifest(generated["base"] / "processed", "generated-1")["counts"]
    summary = generated["summary"]
    assert counts["read"] == summary["lines_total"]
    assert counts["valid"] == summary["good"] == counts["written"]["transactions"]
    # Each bad text is quarantined once; the generator writes some (`null`, ...) more than once.
    bad_texts = {text for text, _, _ in generated_bad_lines(generated)}
    assert counts["quarantined"] == len(bad_texts)
    assert counts["duplicate_bad_lines"] == summary["bad"] - len(bad_texts)
    assert counts["duplicates"] == counts["duplicates_in_run"]
    assert counts["duplicates"] == summary["duplicates"] + counts["duplicate_bad_lines"]


def test_each_bad_line_gets_a_reason_matching_its_kind(generated):
    expected = generated_bad_lines(generated)
    reasons_of = collections.defaultdict(list)
    for record in read_quarantine(generated["base"] / "quarantine", "generated-1"):
        reasons_of[record["raw_line"]].append(record["reason"])
    mismatches = [
        (kind, detail, line, reasons_of.get(line))
        for line, kind, detail in expected
        if not reasons_of.get(line) or not all(reason_fits(kind, detail, r) for r in reasons_of[line])
    ]
    assert mismatches == []
    assert len(expected) == generated["summary"]["bad"]


def test_trend_and_operation_reports_match_the_generator_summary(generated):
    processed = generated["base"] / "processed"
    summary = generated["summary"]
    monthly = {
        (r["year"], r["month"]): (r["txn_count"], r["total_amount"])
        for r in read_report(processed, "monthly_trend")
    }
    assert monthly == {
        (m["year"], m["month"]): (m["completed_count"], Decimal(m["completed_amount"]))
        for m in summary["monthly"]
    }
    operations = {
        r["operation"]: (r["txn_count"], r["total_amount"]) for r in read_report(processed, "ops_totals")
    }
    assert operations == {
        o["operation"]: (o["completed_count"], Decimal(o["completed_amount"]))
        for o in summary["completed_by_operation"]
    }


def test_atm_attempts_and_failures_match_the_generator_summary(generated):
    found = {
        r["atm_id"]: (r["attempts"], r["failures"])
        for r in read_report(generated["base"] / "processed", "atm_failure_rates")
    }
    expected = {a["atm_id"]: (a["attempts"], a["failures"]) for a in generated["summary"]["atm_attempts"]}
    assert found == expected
    assert sum(failures for _, failures in found.values()) > 0  # the generator did inject failures


def test_card_type_attempts_and_failures_match_the_generator_summary(generated):
    found = {
        r["card_type"]: (r["attempts"], r["failures"])
        for r in read_report(generated["base"] / "processed", "card_type_failure_rates")
        if r["card_type"] != "unknown"  # ATM lines without a card: the generator does not list them
    }
    expected = {
        c["card_type"]: (c["attempts"], c["failures"]) for c in generated["summary"]["card_type_attempts"]
    }
    assert found == expected


def test_every_injected_fraud_incident_is_flagged_by_its_rule(generated):
    flags = {
        (r["transaction_id"], r["rule"]) for r in read_report(generated["base"] / "processed", "fraud_flags")
    }
    missed = [
        incident["incident_id"]
        for incident in generated["fraud"]
        if not any(
            (t["transaction_id"], RULE_OF_PATTERN[incident["pattern"]]) in flags
            for t in incident["transactions"]
        )
    ]
    assert generated["fraud"], "the generator should have injected fraud"
    assert missed == []
