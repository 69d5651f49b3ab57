"""The whole ATM job end to end on real local Spark: counts, outputs, rerun idempotency, incremental
runs, the bad-input corpus, the reconciliation guard and the spark-submit entry point.

Job runs are shared through module fixtures (each run costs many Spark jobs); outputs are read back
with pyarrow/json, not Spark, and expectations are computed in plain Python from the input rows.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bankpipe import job as job_module
from bankpipe.job import JobConfig, parse_args, run
from bankpipe.manifest import ReconciliationError
from bankpipe.package import build_zip
from fixtures.atm_rows import build_rows, customers_rows, write_jsonl
from fixtures.corpus import CORPUS_NOW, load_bad_lines
from fixtures.outputs import (
    REPORT_KEYS,
    REPORT_NAMES,
    expected_trends,
    instant,
    money,
    published_files,
    read_manifest,
    read_quarantine,
    read_report,
    read_transactions,
    report_as_mapping,
    snapshot,
)
from fixtures.paths import REPO_ROOT

NOW = datetime(2024, 3, 1, tzinfo=UTC)
# A bad line written twice into run A's hour, then re-delivered once more into run B's hour.
REPEATED_BAD_LINE = '{"transaction_id":"REDELIVERED","channel":"kiosk"}'


def later_copy(row: dict, minutes: int) -> dict:
    """Same transaction_id, later occurred_at and another amount: must lose against the original."""
    when = instant(row).timestamp() + minutes * 60
    return row | {
        "occurred_at": datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "amount": "1.00",
    }


@pytest.fixture(scope="module")
def incremental(tmp_path_factory, spark):
    """Run A (with customers), rerun A (same run id, same input), then run B without customers:
    new rows, replays of A, in-run duplicates, the whole bad-input corpus and a re-delivered copy of
    a bad line run A quarantined."""
    base = tmp_path_factory.mktemp("atm_job")
    output, quarantine = base / "processed", base / "quarantine"
    customers = write_jsonl(base / "customers.jsonl", customers_rows(20))

    rows_a = build_rows(240, seed=1)
    exact_copies = rows_a[:5]
    later_copies = [later_copy(row, 30) for row in rows_a[5:7]]
    hour_a = base / "raw/transactions/year=2024/month=01/day=30/hour=22"
    write_jsonl(hour_a / "a-1.jsonl", [*rows_a[:120], *exact_copies, "", REPEATED_BAD_LINE])
    write_jsonl(hour_a / "a-2.jsonl", [*later_copies, "   ", REPEATED_BAD_LINE, *rows_a[120:]])

    rows_b = build_rows(120, seed=2, start=datetime(2024, 2, 1, 6, 0, tzinfo=UTC), spread_hours=48)
    replayed = rows_a[200:210]  # already processed by run A
    cases = load_bad_lines()
    hour_b = base / "raw/transactions/year=2024/month=02/day=01/hour=06"
    write_jsonl(hour_b / "b-1.jsonl", [*rows_b, *replayed, *rows_b[:3], REPEATED_BAD_LINE])
    bad_file = write_jsonl(hour_b / "b-2.jsonl", [case.raw_line for case in cases] + ["", "\t"])

    def run_job(run_id: str, folder: Path, with_customers: bool, now: datetime) -> dict:
        config = JobConfig(
            input_uris=[str(folder)],
            output=str(output),
            quarantine=str(quarantine),
            run_id=run_id,
            customers=str(customers) if with_customers else None,
            now=now,
        )
        return run(spark, config)

    manifest_a = run_job("run-a", hour_a, True, NOW)
    snapshot_a = snapshot(output, quarantine, "run-a")
    manifest_a_again = run_job("run-a", hour_a, True, NOW)
    snapshot_a_again = snapshot(output, quarantine, "run-a")
    files_after_a = published_files(output)
    manifest_b = run_job("run-b", hour_b, False, datetime.fromisoformat(CORPUS_NOW))
    return {
        "output": output,
        "quarantine": quarantine,
        "rows_a": rows_a,
        "rows_b": rows_b,
        "cases": cases,
        "bad_file": bad_file,
        "manifest_a": manifest_a,
        "manifest_a_again": manifest_a_again,
        "manifest_b": manifest_b,
        "snapshot_a": snapshot_a,
        "snapshot_a_again": snapshot_a_again,
        "files_after_a": files_after_a,
    }


def test_first_run_counts_reconcile(incremental):
    counts = incremental["manifest_a"]["counts"]
    assert counts["read"] == 240 + 5 + 2 + 2  # blank and whitespace-only lines are not read
    assert counts["blank_lines_skipped"] == 2
    # The bad line written twice is quarantined once; its copy is a duplicate, and a bad one.
    assert (counts["valid"], counts["quarantined"], counts["duplicates_in_run"]) == (240, 1, 7 + 1)
    assert counts["duplicate_bad_lines"] == 1
    assert counts["duplicates_of_processed"] == counts["duplicates_of_quarantined"] == 0
    assert counts["read"] == counts["valid"] + counts["quarantined"] + counts["duplicates"]
    assert counts["written"]["transactions"] == 240


def test_manifest_file_matches_the_returned_manifest(incremental):
    on_disk = read_manifest(incremental["output"], "run-a")
    assert on_disk == incremental["manifest_a_again"]
    assert on_disk["run_id"] == "run-a"
    assert on_disk["input"].startswith("file:///") and on_disk["input"].endswith("hour=22")
    assert on_disk["started_at"] <= on_disk["finished_at"]
    assert set(on_disk["counts"]["written"]) == {"transactions", *REPORT_NAMES}


def test_transactions_are_the_deduplicated_input_with_utc_dates(incremental):
    stored = {row["transaction_id"]: row for row in read_transactions(incremental["output"])}
    expected = {row["transaction_id"]: row for row in incremental["rows_a"] + incremental["rows_b"]}
    assert set(stored) == set(expected)
    for transaction_id, row in expected.items():
        kept = stored[transaction_id]
        assert kept["amount"] == money(row["amount"]), transaction_id  # the earliest copy won
        assert kept["txn_date"] == instant(row).date().isoformat()  # hive partition value
        assert kept["signed_amount"] == (-1 if row["type"] == "debit" else 1) * money(row["amount"])
        assert kept["source_file"].startswith("file:/") and kept["source_file"].endswith(".jsonl")
    run_of = collections.Counter(row["run_id"] for row in stored.values())
    assert run_of == {"run-a": 240, "run-b": 120}
    # Run A had customers, run B had none.
    assert all(stored[row["transaction_id"]]["gender"] in ("F", "M") for row in incremental["rows_a"])
    assert all(stored[row["transaction_id"]]["gender"] is None for row in incremental["rows_b"])


def test_published_files_follow_the_layout(incremental):
    files = published_files(incremental["output"])
    dates = {instant(row).strftime("%Y-%m-%d") for row in incremental["rows_a"] + incremental["rows_b"]}
    assert {path.split("/")[0] for path in files} == {f"txn_date={day}" for day in dates}
    assert all(path.split("/")[1].startswith("part-") and path.endswith(".parquet") for path in files)
    assert {path.split(".run-")[1].split(".")[0] for path in files} == {"run-a", "run-b"}


def test_reports_equal_plain_python_over_all_runs(incremental):
    expected = expected_trends(incremental["rows_a"] + incremental["rows_b"])
    for name, keys in REPORT_KEYS.items():
        assert report_as_mapping(read_report(incremental["output"], name), keys) == expected[name], name
    by_age_gender = read_report(incremental["output"], "trans_by_age_gender")
    assert sum(row["txn_count"] for row in by_age_gender) == sum(
        c for c, _ in expected["yearly_trend"].values()
    )
    completed_b = sum(row["status"] == "completed" for row in incremental["rows_b"])
    unknown = [row for row in by_age_gender if row["age_band"] == "unknown"]
    assert [(row["gender"], row["txn_count"]) for row in unknown] == [("unknown", completed_b)]


def test_rerun_of_the_same_run_id_changes_nothing(incremental):
    first, again = incremental["snapshot_a"], incremental["snapshot_a_again"]
    assert again["transactions"] == first["transactions"]
    assert again["files"] == first["files"]
    assert again["reports"] == first["reports"]
    assert again["quarantine"] == first["quarantine"]
    assert again["counts"] == first["counts"]


def test_incremental_run_appends_and_counts_every_kind_of_line(incremental):
    counts = incremental["manifest_b"]["counts"]
    cases = incremental["cases"]
    assert counts["duplicates_of_processed"] == 10
    assert counts["duplicates_in_run"] == 3
    # The re-delivered bad line: run A quarantined it, so run B counts it as a duplicate.
    assert counts["duplicates_of_quarantined"] == counts["duplicate_bad_lines"] == 1
    assert counts["valid"] == 120 == counts["written"]["transactions"]
    assert counts["quarantined"] == len(cases)
    assert (
        counts["read"] == counts["valid"] + counts["quarantined"] + counts["duplicates"] == 134 + len(cases)
    )
    assert counts["blank_lines_skipped"] == 2
    # Run B wrote into dates run A also wrote to, without touching run A's files.
    files_now = published_files(incremental["output"])
    assert set(incremental["files_after_a"]) <= set(files_now)
    shared_dates = {path.split("/")[0] for path in incremental["files_after_a"]} & {
        path.split("/")[0] for path in files_now if ".run-run-b." in path
    }
    assert shared_dates, "the generated data should make run B write into a date run A wrote"


def test_every_bad_line_is_quarantined_verbatim_with_its_reason(incremental):
    records = read_quarantine(incremental["quarantine"], "run-b")
    found = collections.Counter((record["raw_line"], record["reason"]) for record in records)
    expected = collections.Counter((case.raw_line, case.reason) for case in incremental["cases"])
    assert found == expected
    assert {record["run_id"] for record in records} == {"run-b"}
    # Spark reports local files in Hadoop's form file:/path (s3://bucket/key on S3).
    assert {record["source_file"] for record in records} == {f"file:{incremental['bad_file']}"}
    by_reason = incremental["manifest_b"]["counts"]["quarantined_by_reason"]
    assert by_reason == dict(collections.Counter(case.reason for case in incremental["cases"]))
    assert len(by_reason) >= 20
    # Run A's bad line, written twice, is in quarantine once, and only under run A.
    assert [(r["raw_line"], r["run_id"]) for r in read_quarantine(incremental["quarantine"], "run-a")] == [
        (REPEATED_BAD_LINE, "run-a")
    ]


def test_fraud_flags_report_has_the_layout_columns(incremental):
    flags = read_report(incremental["output"], "fraud_flags")
    stored = {row["transaction_id"] for row in read_transactions(incremental["output"])}
    for flag in flags:
        assert set(flag) == {"transaction_id", "account_id", "card_id", "occurred_at", "rule", "detail"}
        assert flag["transaction_id"] in stored
        assert flag["rule"] in ("withdrawal_burst", "impossible_travel", "repeated_max_amount")


# ---- guards and entry point --------------------------------------------------------------------


def test_a_broken_count_invariant_fails_the_run_and_publishes_nothing(tmp_path, spark, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", build_rows(10, seed=4))
    original = job_module.mark_duplicates_of_processed

    def multiplying_join(marked, processed_ids):
        result = original(marked, processed_ids)
        return result.unionByName(result.limit(1))  # a join that invents one row

    monkeypatch.setattr(job_module, "mark_duplicates_of_processed", multiplying_join)
    config = JobConfig(
        input_uris=[str(source)],
        output=str(tmp_path / "out"),
        quarantine=str(tmp_path / "q"),
        run_id="broken",
        now=NOW,
    )
    with pytest.raises(ReconciliationError, match="read=10 but valid"):
        run(spark, config)
    assert not (tmp_path / "out" / "transactions").exists()
    assert not (tmp_path / "out" / "_manifest").exists()
    assert not (tmp_path / "q").exists()


def test_cli_arguments_are_checked():
    required = ["--input", "s3://raw/a,s3://raw/b", "--output", "s3://p", "--quarantine", "s3://q"]
    config = parse_args(
        [*required, "--run-id", "r-1", "--now", "2024-05-01T12:00:00+02:00", "--max-future-minutes", "5"]
    )
    assert config.input_uris == ["s3://raw/a", "s3://raw/b"]
    assert config.now == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert config.max_future_minutes == 5
    for bad in (["--run-id", "a/b"], ["--now", "2024-05-01T12:00:00"], ["--max-future-minutes", "-1"]):
        arguments = ["--input", "x", "--output", "y", "--quarantine", "z", "--run-id", "ok", *bad]
        with pytest.raises(SystemExit):
            parse_args(arguments)


def test_spark_submit_runs_the_packaged_job(tmp_path):
    """The EMR way: spark-submit atm_job.py with the bankpipe zip on --py-files (schema inside)."""
    archive = build_zip(tmp_path / "dist" / "bankpipe.zip")
    # As on EMR, the entry script sits alone (no bankpipe folder beside it): the code comes from the zip.
    entry = tmp_path / "steps" / "atm_job.py"
    entry.parent.mkdir()
    entry.write_text((REPO_ROOT / "spark-jobs" / "atm_job.py").read_text())
    source = write_jsonl(tmp_path / "raw" / "in.jsonl", [*build_rows(6, seed=5), "not json"])
    spark_submit = Path(sys.executable).parent / "spark-submit"
    env = os.environ | {"PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    result = subprocess.run(
        [
            str(spark_submit),
            "--master",
            "local[1]",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.driver.bindAddress=127.0.0.1",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.sql.shuffle.partitions=2",
            "--py-files",
            str(archive),
            str(entry),
            "--input",
            source.as_uri(),
            "--output",
            (tmp_path / "processed").as_uri(),
            "--quarantine",
            (tmp_path / "quarantine").as_uri(),
            "--run-id",
            "cli-1",
            "--now",
            "2024-03-01T00:00:00Z",
        ],
        cwd=tmp_path,  # not the repo: the schema must come from the zip
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [summary_line] = [line for line in result.stdout.splitlines() if line.startswith('{"run_id"')]
    summary = json.loads(summary_line)
    assert summary["counts"]["read"] == 7
    assert (summary["counts"]["valid"], summary["counts"]["quarantined"]) == (6, 1)
    manifest = read_manifest(tmp_path / "processed", "cli-1")
    assert manifest["schema"] == "bankpipe/transaction.schema.json (packaged)"
    # No customers anywhere in this output: the age/gender report is not produced.
    assert "trans_by_age_gender" not in manifest["counts"]["written"]
    assert not (tmp_path / "processed" / "reports" / "trans_by_age_gender").exists()
