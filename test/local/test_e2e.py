"""The whole pipeline on the real local twin, end to end, as `make demo` runs it (smaller).

A twin in a temporary state dir on free ports; the generator drops ~3000 transactions with bad lines
and duplicates into the SFTP drop; local/pipeline/run-pipeline.ts carries them through Kafka, the raw zone,
start-run's logic, the ATM job on local Spark, reconcile-run, the DuckDB catalog, the warehouse load
into PostgreSQL and refresh-reports. The assertions compare against the generator's own summary
(its truth), read independently here: PostgreSQL through psycopg, the Athena stand-in through DuckDB.

Run: .local/venv/bin/python -m pytest test/local/test_e2e.py -m twin   (~3-4 min on 2 cores)
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from twin_harness import REPO_ROOT, RunningTwin, run_pipeline, running_twin, warehouse_connection

# DuckDB 1.4.3's parallel hash aggregation split one GROUP BY COALESCE(...) key into two groups
# (seen on a clean clone); one thread gives exact groups and these inputs are small.
DUCKDB_CONFIG = {"threads": 1}

pytestmark = pytest.mark.twin

E2E_COUNT = 3000
E2E_SEED = "e2e-7"
PIPELINE_TIMEOUT_SECONDS = 600


@pytest.fixture(scope="module")
def pipeline_run() -> Iterator[
    tuple[RunningTwin, dict[str, str], dict[str, Any], subprocess.CompletedProcess[str]]
]:
    for twin in running_twin():
        twin.stack("connectors")
        env = {**twin.env, **twin.endpoints(), "NODE_NO_WARNINGS": "1"}
        result_file = twin.home / "e2e-result.json"
        completed = run_pipeline(
            env,
            result_file,
            "--count",
            str(E2E_COUNT),
            "--seed",
            E2E_SEED,
            timeout_seconds=PIPELINE_TIMEOUT_SECONDS,
        )
        yield twin, env, json.loads(result_file.read_text()), completed


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    return json.loads(Path(result["summaryFile"]).read_text())


def test_the_run_succeeds_and_says_every_count_matches(pipeline_run) -> None:
    _, _, result, completed = pipeline_run
    assert completed.returncode == 0, f"{completed.stdout}\n{completed.stderr}"
    assert "every count matches" in completed.stdout
    failed = [line["label"] for line in result["reconciliation"] if not line["ok"]]
    assert failed == []


def test_exact_reconciliation_against_the_generator_truth(pipeline_run) -> None:
    _, env, result, _ = pipeline_run
    summary = _summary(result)
    assert summary["lines_total"] == E2E_COUNT
    assert summary["bad"] > 0 and summary["duplicates"] > 0, "the run must include bad lines and duplicates"
    counts = {line["label"]: line["actual"] for line in result["reconciliation"]}
    assert counts["records on the topic = lines generated"] == E2E_COUNT
    assert counts["lines in the raw zone = lines generated"] == E2E_COUNT
    manifests = [execution["counts"] for execution in result["executions"]]
    assert sum(m["read"] for m in manifests) == E2E_COUNT
    assert sum(m["valid"] for m in manifests) == summary["good"]
    # Each bad text is quarantined once (the generator writes some, such as `null`, more than once)
    # and its other copies are duplicates: together the two sums are the generator's.
    quarantined = sum(m["quarantined"] for m in manifests)
    assert quarantined + sum(m["duplicates"] for m in manifests) == summary["bad"] + summary["duplicates"]
    assert quarantined <= summary["bad"]
    assert counts["quarantined + bad-line copies = generator bad lines"] == summary["bad"]
    assert counts["other duplicates = generator duplicates"] == summary["duplicates"]
    with warehouse_connection(env) as connection:
        (rows,) = connection.execute("SELECT COUNT(*) FROM banking.transactions").fetchone()
        (distinct,) = connection.execute(
            "SELECT COUNT(DISTINCT transaction_id) FROM banking.transactions"
        ).fetchone()
    assert rows == distinct == summary["good"]


def test_monthly_figures_match_the_generator_in_warehouse_and_athena(pipeline_run) -> None:
    twin, env, result, _ = pipeline_run
    expected = {
        (m["year"], m["month"]): (m["completed_count"], Decimal(m["completed_amount"]))
        for m in _summary(result)["monthly"]
    }
    assert expected, "the generator summary lists no month"
    with warehouse_connection(env) as connection:
        warehouse = {
            (int(year), int(month)): (int(count), Decimal(amount).quantize(Decimal("0.01")))
            for year, month, count, amount in connection.execute(
                "SELECT year, month, txn_count, total_amount FROM banking.v_monthly_trend"
            ).fetchall()
        }
    assert warehouse == expected

    athena_sql = (REPO_ROOT / "sql" / "athena" / "monthly_trend.sql").read_text()
    with duckdb.connect(
        str(twin.home / "demo" / "athena.duckdb"), read_only=True, config=DUCKDB_CONFIG
    ) as connection:
        athena = {
            (int(year), int(month)): (int(count), Decimal(str(amount)).quantize(Decimal("0.01")))
            for year, month, count, amount in connection.execute(athena_sql).fetchall()
        }
    assert athena == expected


def test_atm_attempts_and_failures_match_the_generator(pipeline_run) -> None:
    _, env, result, _ = pipeline_run
    expected = {row["atm_id"]: (row["attempts"], row["failures"]) for row in _summary(result)["atm_attempts"]}
    with warehouse_connection(env) as connection:
        actual = {
            atm: (attempts, failures)
            for atm, attempts, failures in connection.execute(
                "SELECT atm_id, attempts, failures FROM banking.v_atm_failure_rates"
            ).fetchall()
        }
    assert actual == expected


def test_the_html_report_is_written_with_its_charts(pipeline_run) -> None:
    twin, _, result, completed = pipeline_run
    report = Path(result["reportFile"])
    assert report == twin.home / "report.html"
    assert str(report) in completed.stdout
    html = report.read_text()
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    # One chart per bars/columns view of the report definitions (their `-- demo:` lines), titled
    # with its report's name.
    index = json.loads((REPO_ROOT / "sql" / "reports" / "index.json").read_text(encoding="utf-8"))
    charted = [r["name"] for r in index["reports"] for view in r["demo"] if view["kind"] != "table"]
    assert len(charted) >= 5
    # A chart over no rows says so instead of drawing: at least five of this run's have rows.
    assert html.count("<svg") + html.count("<p>No data.</p>") == len(charted)
    assert html.count("<svg") >= 5
    for name in charted:
        assert f"<h2>{name}: " in html
    assert "live consumer beside the batch" in html


def test_no_spark_or_driver_process_outlives_the_run(pipeline_run) -> None:
    twin, _, _, _ = pipeline_run
    leftovers = subprocess.run(
        ["pgrep", "-f", str(twin.home)], capture_output=True, text=True, check=False
    ).stdout.split()
    service_pids = {str(record.pid) for record in twin.records()}
    assert [pid for pid in leftovers if pid not in service_pids and pid != str(os.getpid())] == []
