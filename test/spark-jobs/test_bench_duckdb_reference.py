"""The benchmark's DuckDB reference (scripts/atm_duckdb_reference.py) must do the job's work.

The benchmark compares Spark with DuckDB only after checking both produced the same counts; these
tests keep the reference honest on the inputs the benchmark does not cover: the bad-input corpus
(every reason the job knows) and a few good ATM rows with a duplicate and an extra field.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from fixtures.corpus import CORPUS_NOW, load_bad_lines

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import atm_duckdb_reference as reference

# DuckDB's JSON parser reads NaN as a number, the job's strict parser rejects the line: the reference
# still quarantines it, under another reason.
KNOWN_DIFFERENCES = {"BAD-T06": "out_of_range:amount"}
NOW = datetime.fromisoformat(CORPUS_NOW.replace("Z", "+00:00"))


def _run(tmp_path: Path, lines: list[str]) -> tuple[dict, list[dict]]:
    source = tmp_path / "in" / "part-0.jsonl"
    source.parent.mkdir()
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    result = reference.run(str(source), tmp_path / "out", NOW, threads=1)
    quarantine = tmp_path / "out" / "quarantine" / "part-0.json"
    records = [json.loads(line) for line in quarantine.read_text(encoding="utf-8").splitlines()]
    return result, records


def test_reference_gives_every_corpus_line_the_jobs_reason(tmp_path: Path) -> None:
    cases = load_bad_lines()
    result, records = _run(tmp_path, [case.raw_line for case in cases])
    found = {record["raw_line"]: record["reason"] for record in records}
    for case in cases:
        transaction = next((key for key in KNOWN_DIFFERENCES if f'"{key}"' in case.raw_line), None)
        expected = KNOWN_DIFFERENCES[transaction] if transaction else case.reason
        assert found.get(case.raw_line) == expected, case.raw_line
    assert result["counts"]["read"] == len(cases)
    assert result["counts"]["valid"] == 0


def _atm_line(transaction_id: str, minute: int, **extra: object) -> str:
    row = {
        "transaction_id": transaction_id,
        "account_id": "ACC1",
        "occurred_at": f"2024-03-05T10:{minute:02d}:00Z",
        "type": "debit",
        "operation": "cash_withdrawal",
        "amount": "100.00",
        "currency": "CZK",
        "channel": "atm",
        "status": "completed",
        "atm_id": "ATM-1",
        "atm_location": "Square 1",
        "city": "Prague",
        "country": "CZ",
        "latitude": 50.08,
        "longitude": 14.42,
        "card_id": "CARD1",
        **extra,
    }
    return json.dumps(row)


def test_reference_deduplicates_enriches_and_flags_a_burst(tmp_path: Path) -> None:
    lines = [
        _atm_line("T1", 0, note="kept"),
        _atm_line("T1", 5),  # later copy of T1: a duplicate
        _atm_line("T2", 2),
        _atm_line("T3", 4),
    ]
    result, records = _run(tmp_path, lines)
    counts = result["counts"]
    assert (counts["read"], counts["valid"], counts["duplicates"], records) == (4, 3, 1, [])
    monthly = duckdb.sql(
        "SELECT year, month, txn_count, CAST(total_amount AS VARCHAR), typeof(total_amount) "
        f"FROM '{tmp_path}/out/reports/monthly_trend.parquet'"
    )
    assert monthly.fetchall() == [(2024, 3, 3, "300.00", "DECIMAL(38,2)")]
    assert "trans_by_age_gender" not in counts["written"]  # no customer data, as in the job
    # T3 is the third withdrawal of the card within 10 minutes (100.00 is not the CZK maximum).
    flags = duckdb.sql(f"SELECT transaction_id, rule FROM '{tmp_path}/out/reports/fraud_flags.parquet'")
    assert sorted(flags.fetchall()) == [("T3", "withdrawal_burst")]
    kept = duckdb.sql(
        f"SELECT occurred_at::VARCHAR, extra_fields, txn_hour, signed_amount::VARCHAR FROM "
        f"read_parquet('{tmp_path}/out/transactions/*/*.parquet') WHERE transaction_id = 'T1'"
    ).fetchall()
    assert kept == [("2024-03-05 10:00:00+00", '{"note":"kept"}', 10, "-100.00")]


def test_reference_quarantines_identical_bad_lines_once_like_the_job(tmp_path: Path) -> None:
    lines = ["null", _atm_line("T1", 0), "null", "[1]", "null"]
    result, records = _run(tmp_path, lines)
    counts = result["counts"]
    assert (counts["read"], counts["valid"], counts["quarantined"], counts["duplicates"]) == (5, 1, 2, 2)
    assert counts["quarantined_by_reason"] == {"not_an_object": 2}
    assert sorted(record["raw_line"] for record in records) == ["[1]", "null"]


def test_reference_counts_fraud_windows_in_whole_seconds_like_spark(tmp_path: Path) -> None:
    # Spark's unix_seconds rounds 10:10:00.6 down to 10:10:00, so the withdrawal 10 minutes earlier
    # is still inside the burst window; rounding to the nearest second would drop it.
    lines = [
        _atm_line("T1", 0, amount="10.00"),
        _atm_line("T2", 5, amount="20.00"),
        _atm_line("T3", 10, amount="30.00", occurred_at="2024-03-05T10:10:00.6Z"),
    ]
    _run(tmp_path, lines)
    flags = duckdb.sql(f"SELECT transaction_id, rule FROM '{tmp_path}/out/reports/fraud_flags.parquet'")
    assert flags.fetchall() == [("T3", "withdrawal_burst")]


def test_reference_keeps_extra_fields_whose_names_need_escaping(tmp_path: Path) -> None:
    _run(tmp_path, [_atm_line("T1", 0, **{'we"ird\\key': [1, "x"]})])
    extra = duckdb.sql(f"SELECT extra_fields FROM read_parquet('{tmp_path}/out/transactions/*/*.parquet')")
    assert json.loads(extra.fetchone()[0]) == {'we"ird\\key': [1, "x"]}


def test_reference_refuses_to_empty_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(SystemExit, match="not written by this script"):
        reference.run(str(tmp_path / "*.jsonl"), tmp_path, NOW, threads=1)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_reference_takes_the_future_limit_from_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No limit of its own: with a 5-minute contract a line 10 minutes ahead is quarantined, as in the job."""
    five_minutes = dataclasses.replace(reference.load_contract(), max_future_minutes=5)
    monkeypatch.setattr(reference, "load_contract", lambda: five_minutes)
    ahead = json.loads(_atm_line("T-AHEAD", 0))
    ahead["occurred_at"] = (NOW + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = json.dumps(ahead)
    result, records = _run(tmp_path, [line])
    reasons = [(record["raw_line"], record["reason"]) for record in records]
    assert reasons == [(line, "future_timestamp:occurred_at")]
    assert result["counts"]["valid"] == 0
