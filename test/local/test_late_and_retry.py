"""Nothing skipped, on the real local twin: a once-failed run and a late file for a processed hour.

1. local/pipeline/run-pipeline.ts runs with the twin's fault switch TWIN_FAULT_FAIL_JOB_FIRST_ATTEMPT=1: the
   ATM job step of every hour's first attempt fails after the job has written its outputs. start-run's
   logic learns the failure from the ledger's execution status on the next tick, retries the hour
   (attempt 2, same run id, so the retry replaces what attempt 1 wrote), and the reconciliation
   against the generator's truth matches on every line.
2. A file of new lines is written into that hour's raw prefix after its run (what the S3 sink does
   when lines arrive late). `run-pipeline.ts --ticks-only` runs start-run's ticks: the hour's raw
   snapshot changed since its run was claimed, so it is re-run as a whole; reconcile-run compares the
   raw lines with the job's read, and the warehouse ends with every good line of both files once.

Run: .local/venv/bin/python -m pytest test/local/test_late_and_retry.py -m twin   (~5-6 min on 2 cores)
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from twin_harness import REPO_ROOT, TSX, RunningTwin, run_pipeline, running_twin, warehouse_connection

pytestmark = pytest.mark.twin

FIRST_COUNT = 1500
FIRST_SEED = "retry-1"
LATE_COUNT = 400
LATE_SEED = "late-1"
PIPELINE_TIMEOUT_SECONDS = 900


def _pipeline(env: dict[str, str], result_file: Path, *args: str) -> tuple[dict[str, Any], str]:
    completed = run_pipeline(env, result_file, *args, timeout_seconds=PIPELINE_TIMEOUT_SECONDS)
    output = f"{completed.stdout}\n{completed.stderr}"
    assert completed.returncode == 0, output
    return json.loads(result_file.read_text()), output


def _ledger(twin: RunningTwin) -> dict[str, Any]:
    return json.loads((twin.home / "demo" / "runs-ledger.json").read_text())


def _warehouse_rows(env: dict[str, str]) -> tuple[int, int]:
    with warehouse_connection(env) as connection:
        row = connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT transaction_id) FROM banking.transactions"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _unmatched(result: dict[str, Any]) -> list[str]:
    return [line["label"] for line in result["reconciliation"] if not line["ok"]]


@pytest.fixture(scope="module")
def twin_env() -> Iterator[tuple[RunningTwin, dict[str, str]]]:
    for twin in running_twin():
        twin.stack("connectors")
        yield twin, {**twin.env, **twin.endpoints(), "NODE_NO_WARNINGS": "1"}


@pytest.fixture(scope="module")
def retried_run(twin_env) -> dict[str, Any]:
    twin, env = twin_env
    result, output = _pipeline(
        {**env, "TWIN_FAULT_FAIL_JOB_FIRST_ATTEMPT": "1"},
        twin.home / "retry-result.json",
        "--count",
        str(FIRST_COUNT),
        "--seed",
        FIRST_SEED,
    )
    result["output"] = output
    return result


def test_a_run_whose_job_step_failed_once_is_retried_and_every_count_matches(twin_env, retried_run) -> None:
    twin, env = twin_env
    result = retried_run
    assert result["failed"], f"the fault switch made no attempt fail:\n{result['output']}"
    assert all("injected fault" in failure["error"] for failure in result["failed"])
    assert _unmatched(result) == [], result["output"]
    assert "every count matches" in result["output"]

    hours = {claim["window"]: claim for claim in _ledger(twin)["claims"].values()}
    for failure in result["failed"]:
        name = failure["executionName"]
        hour = hours[name.removeprefix("run-")]
        # The retry: attempt 2 of the same hour's run id, started by start-run, and it succeeded.
        assert (hour["attempt"], hour["status"], hour["reason"]) == (2, "SUCCEEDED", "retry")
        assert hour["failedAttempts"] == 0
    summary = json.loads(Path(result["summaryFile"]).read_text())
    rows, distinct = _warehouse_rows(env)
    # Attempt 1 wrote its outputs before failing: the retry replaced them, it did not add to them.
    assert rows == distinct == summary["good"]


def test_a_late_file_for_a_processed_hour_ends_up_processed(twin_env, retried_run) -> None:
    twin, env = twin_env
    first_summary = json.loads(Path(retried_run["summaryFile"]).read_text())
    hours = {claim["window"]: claim for claim in _ledger(twin)["claims"].values()}
    window = sorted(hours)[-1]
    processed = hours[window]
    assert processed["status"] == "SUCCEEDED"

    with tempfile.TemporaryDirectory(prefix="late-file-") as folder:
        late = Path(folder)
        subprocess.run(
            [
                str(TSX),
                str(REPO_ROOT / "tools" / "generator" / "cli.ts"),
                "--seed",
                LATE_SEED,
                "--count",
                str(LATE_COUNT),
                "--out",
                str(late / "drop"),
                "--files",
                "1",
                "--bad-ratio",
                "0.01",
                "--duplicate-ratio",
                "0.005",
                "--summary",
                str(late / "summary.json"),
            ],
            cwd=REPO_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        late_summary = json.loads((late / "summary.json").read_text())
        (late_file,) = sorted((late / "drop").glob("*.jsonl"))
        # Named like the sink's objects (<topic>-<partition>-<start offset>.jsonl), after its run.
        key = f"{processed['rawPrefix']}bank-transactions-9-{'9' * 20}.jsonl"
        s3 = boto3.client(
            "s3",
            endpoint_url=env["TWIN_S3_ENDPOINT"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env.get("AWS_REGION", "us-east-1"),
        )
        s3.put_object(Bucket=env["TWIN_RAW_BUCKET"], Key=key, Body=late_file.read_bytes())

    result, output = _pipeline(env, twin.home / "late-result.json", "--ticks-only")
    assert _unmatched(result) == [], output

    rerun = [e for e in result["executions"] if e["runId"] == processed["runId"]]
    assert len(rerun) == 1, output
    hour = _ledger(twin)["claims"][processed["runId"]]
    assert (hour["attempt"], hour["status"], hour["reason"]) == (
        processed["attempt"] + 1,
        "SUCCEEDED",
        "late-data",
    )
    counts = rerun[0]["counts"]
    assert counts["rawLines"] == counts["read"]
    lines_total = first_summary["lines_total"] + late_summary["lines_total"]
    assert counts["read"] <= lines_total and counts["read"] >= LATE_COUNT
    rows, distinct = _warehouse_rows(env)
    assert rows == distinct == first_summary["good"] + late_summary["good"]

    # Nothing changed since: the next ticks start nothing.
    again, output = _pipeline(env, twin.home / "again-result.json", "--ticks-only")
    assert again["executions"] == [] and _unmatched(again) == [], output
