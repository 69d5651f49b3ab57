"""`make demo` again and again on the kept state, and after Ctrl-C, on the real local twin.

One twin for every run (the demo's default seed, rotated by the driver):
1. two runs in a row: each ends with exit 0 and an exact reconciliation. The raw zone's hour is the
   ingest hour, so a repeat usually lands in the hour of the run before and the job re-reads that
   whole hour: the table then covers both seeds and says so.
2. a run interrupted with SIGINT to its process group (what Ctrl-C does) once orchestration has
   started the ATM job: it exits 130, leaving no start-run lease and no RUNNING execution.
3. the next run resumes: the interrupted hour is re-run with this run's lines, and the reconciliation
   is exact again, covering the interrupted run's seed too.
Every run also reconciles the live fraud alerts, which the consumer raised beside the batch, with the
batch's fraud_flags over the same seeds; each run generates the six months after the previous run's.

Run: .local/venv/bin/python -m pytest test/local/test_demo_repeat.py -m twin
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from twin_harness import RunningTwin, interrupted_pipeline, run_pipeline, running_twin, warehouse_connection

pytestmark = pytest.mark.twin

COUNT = 2000
PIPELINE_TIMEOUT_SECONDS = 900
INTERRUPTED_EXIT = 130  # 128 + SIGINT
# The first state of the run state machine: the ATM job starts right after it.
INTERRUPT_AFTER = "Create EMR cluster"


def _ledger(twin: RunningTwin) -> dict[str, Any]:
    return json.loads((twin.home / "demo" / "runs-ledger.json").read_text())


def _run(twin: RunningTwin, env: dict[str, str], name: str) -> tuple[dict[str, Any], str]:
    result_file = twin.home / f"{name}.json"
    completed = run_pipeline(
        env, result_file, "--count", str(COUNT), timeout_seconds=PIPELINE_TIMEOUT_SECONDS
    )
    output = f"{completed.stdout}\n{completed.stderr}"
    assert completed.returncode == 0, output
    return json.loads(result_file.read_text()), output


def _assert_exact(result: dict[str, Any], output: str, twin: RunningTwin) -> None:
    """Every line matches, and the expected side is the sum of the covered seeds' generator truth."""
    assert [line["label"] for line in result["reconciliation"] if not line["ok"]] == [], output
    assert "every count matches" in output
    assert result["seed"] in result["seeds"]
    drops = _ledger(twin)["drops"]
    truths = [drops[seed]["truth"] for seed in result["seeds"]]
    expected = {line["label"]: line["expected"] for line in result["reconciliation"]}
    assert expected["lines in the raw zone = lines generated"] == sum(t["lines_total"] for t in truths)
    assert expected["valid (processed) = generator good, unique"] == sum(t["good"] for t in truths)
    assert expected["quarantined + bad-line copies = generator bad lines"] == sum(t["bad"] for t in truths)
    assert expected["other duplicates = generator duplicates"] == sum(t["duplicates"] for t in truths)
    live = result["liveAlerts"]
    differences = (live["onlyBatch"], live["onlyLive"], live["seedsNotReadLive"])
    assert live["ok"] and differences == ([], [], []), output
    assert f"\u2713 live alerts = batch fraud_flags  {live['matched']}\n" in output
    assert "live alert latency, Kafka timestamp -> alert stored: p50 " in output
    earlier = [seed for seed in result["seeds"] if seed != result["seed"]]
    if earlier:
        lines = sum(drops[seed]["truth"]["lines_total"] for seed in earlier)
        assert f"includes {lines:,} lines of earlier runs in the same hours (seed {earlier[0]} " in output


def _warehouse_matches_every_ingested_seed(twin: RunningTwin, env: dict[str, str]) -> None:
    good = sum(d["truth"]["good"] for d in _ledger(twin)["drops"].values() if d["status"] == "ingested")
    with warehouse_connection(env) as connection:
        row = connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT transaction_id) FROM banking.transactions"
        ).fetchone()
    assert row is not None
    assert (int(row[0]), int(row[1])) == (good, good)


@pytest.fixture(scope="module")
def twin_env() -> Iterator[tuple[RunningTwin, dict[str, str]]]:
    for twin in running_twin():
        twin.stack("connectors", "--partitions", "1")  # as scripts/demo.sh
        env = {**twin.env, **twin.endpoints(), "NODE_NO_WARNINGS": "1"}
        env.pop("DEMO_SEED", None)  # the demo's default seed, rotated on each repeat
        yield twin, env


def _warehouse_table(result: dict[str, Any], report: str) -> list[dict[str, str]]:
    """The rows of the demo's warehouse table of a report (its `-- demo: table ...` line)."""
    (view,) = [
        v
        for v in result["reports"]["views"]
        if v["report"] == report and v["spec"]["kind"] == "table" and v["spec"]["engine"] == "warehouse"
    ]
    return view["rows"]


def test_a_repeated_demo_reconciles_exactly_each_time(twin_env) -> None:
    twin, env = twin_env
    first, output = _run(twin, env, "first")
    _assert_exact(first, output, twin)
    second, output = _run(twin, env, "second")
    _assert_exact(second, output, twin)
    assert (first["seed"], second["seed"]) == ("42", "42-1")
    # Six months each, the second's after the first's: the monthly trend grows, no card overlaps itself.
    assert (first["period"]["start"], second["period"]["start"]) == ("2016-01-01", "2016-07-01")
    assert len(_warehouse_table(first, "monthly_trend")) == 6
    assert len(_warehouse_table(second, "monthly_trend")) == 12
    if set(first["hours"]) & set(second["hours"]):
        assert "42" in second["seeds"], output
    _warehouse_matches_every_ingested_seed(twin, env)


def test_a_run_interrupted_during_orchestration_is_resumed_by_the_next(twin_env) -> None:
    twin, env = twin_env
    status, output = interrupted_pipeline(
        env,
        "--count",
        str(COUNT),
        interrupt_after=INTERRUPT_AFTER,
        timeout_seconds=PIPELINE_TIMEOUT_SECONDS,
    )
    assert status == INTERRUPTED_EXIT, output
    assert "interrupted (SIGINT) during orchestration" in output
    ledger = _ledger(twin)
    assert "lease" not in ledger, output
    assert [e for e in ledger["executions"].values() if e["status"] == "RUNNING"] == []
    interrupted_seed = max(ledger["drops"].values(), key=lambda d: d["startedAt"])
    assert interrupted_seed["status"] == "ingested"
    (left,) = [claim for claim in ledger["claims"].values() if claim["status"] == "STARTED"]

    resumed, output = _run(twin, env, "resumed")
    _assert_exact(resumed, output, twin)
    assert interrupted_seed["seed"] in resumed["seeds"], output
    # The hour the interrupted run left was retried (its next attempt) and succeeded.
    hour = _ledger(twin)["claims"][left["runId"]]
    assert (hour["attempt"], hour["reason"], hour["status"]) == (left["attempt"] + 1, "retry", "SUCCEEDED")
    _warehouse_matches_every_ingested_seed(twin, env)


def test_nothing_is_left_for_a_run_after_the_last(twin_env) -> None:
    twin, env = twin_env
    result_file = twin.home / "ticks.json"
    completed = run_pipeline(env, result_file, "--ticks-only", timeout_seconds=PIPELINE_TIMEOUT_SECONDS)
    result = json.loads(Path(result_file).read_text())
    assert completed.returncode == 0 and result["executions"] == [], completed.stdout
