"""The batch and the live consumer raise the same alerts on the same transactions.

Generated transactions with injected fraud (tools/generator) go through the ATM job (PySpark,
fraud_flags) and, record by record in file order, through the live fraud rules
(lambda/live-alerts/fraud-rules, replayed by test/lambda/live-alerts/fraud-rules-replay.ts). Both sides
name each alert by (rule, card, window) and hash it the same way. The input has no bad lines: the live
side checks only the fields the rules read, so parity is promised on lines the contract accepts.
Skipped when Node/tsx is not available.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from bankpipe.fraud import alert_keys
from bankpipe.fraud_rules import RULE_NAMES, alert_id
from bankpipe.job import JobConfig, run
from fixtures.paths import REPO_ROOT

GENERATOR = REPO_ROOT / "tools" / "generator" / "cli.ts"
REPLAY = REPO_ROOT / "test" / "lambda" / "live-alerts" / "fraud-rules-replay.ts"


@pytest.fixture(scope="module")
def both_sides(tmp_path_factory, spark):
    npx = shutil.which("npx")
    if npx is None or not (REPO_ROOT / "node_modules" / ".bin" / "tsx").exists():
        pytest.skip("npx/tsx is not available")
    base = tmp_path_factory.mktemp("cross-language")
    generate = [npx, "tsx", str(GENERATOR), "--seed", "11", "--count", "2000", "--start", "2024-03-01"]
    generate += ["--days", "3", "--files", "2", "--bad-ratio", "0", "--duplicate-ratio", "0.01"]
    generate += ["--fraud-ratio", "0.05", "--out", str(base / "raw")]
    subprocess.run(generate, cwd=REPO_ROOT, check=True, capture_output=True, timeout=300)
    files = sorted(str(path) for path in (base / "raw").glob("*.jsonl"))
    replay = [npx, "tsx", str(REPLAY), *files]
    replayed = subprocess.run(replay, cwd=REPO_ROOT, check=True, capture_output=True, text=True, timeout=300)
    live = [json.loads(line) for line in replayed.stdout.splitlines()]
    run(
        spark,
        JobConfig(
            input_uris=[str(base / "raw")],
            output=str(base / "processed"),
            quarantine=str(base / "quarantine"),
            run_id="cross-language-1",
            now=datetime(2025, 1, 1, tzinfo=UTC),
        ),
    )
    batch = alert_keys(spark.read.parquet(str(base / "processed" / "reports" / "fraud_flags")))
    return batch, live


def _key_text(key) -> str:
    return f"{key.rule}|{key.card_id}|{key.window_start_epoch_seconds}|{key.window_end_epoch_seconds}"


def test_batch_and_live_raise_the_same_alerts(both_sides):
    batch, live = both_sides
    assert {_key_text(key) for key in batch} == {alert["key"] for alert in live}
    # Every rule fires, so the comparison covers all three.
    assert {key.rule for key in batch} == set(RULE_NAMES)


def test_batch_and_live_name_each_alert_with_the_same_id(both_sides):
    batch, live = both_sides
    assert {alert_id(key) for key in batch} == {alert["alertId"] for alert in live}
    assert len(live) == len({alert["alertId"] for alert in live})
