"""The short chaos set on the real local twin: the Kafka Connect worker killed (SIGKILL) while the SFTP
source reads files, then the Kafka broker killed while lines flow, each started again; after both, the
pipeline runs to completion and every generated line must be exactly once in the processed zone or
quarantine (a good line by its transaction id, a bad one by its text), the warehouse must equal the
processed zone and the reports a recomputation. Both kills make the source re-deliver lines, bad ones
among them, which the job must count as duplicates instead of writing them twice.

The live fraud-alerts consumer runs through both kills (the broker's included) on the twin's topic of
one partition; afterwards its alerts must equal the batch's fraud report, alert by alert, each raised,
stored and notified once, with at least one alert to compare (the chaos generator injects fraud).

The full set (SFTP, S3, sink uploads, the live consumer itself, PostgreSQL during the MERGE, the Spark
driver): `make chaos`.
Run alone: .local/venv/bin/python -m pytest test/local/test_chaos_short.py
(twin start, two kills of about a minute each, one pipeline run whose Spark job dominates, the live
check: 11-12 minutes on two cores busy with other work; 21 when its lines straddle an hour boundary, as the
pipeline then runs the first hour, its late-data re-run and the second hour)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from twin_harness import REPO_ROOT  # noqa: F401 - puts local/ on sys.path

from chaos.chaos import LIVE_EXACT_PARTITIONS, LIVE_ROW, run_scenarios
from chaos.scenarios import SHORT_SET, Outcome, Sizes
from chaos.twin_control import fresh_twin

pytestmark = [pytest.mark.twin, pytest.mark.chaos]

SIZES = Sizes(lines=600, files=3, spacing_seconds=2.0)
# Logs whose tails explain a failed pipeline run: the twin and its logs are deleted with it.
EXPLAINING_LOGS = ("chaos-pipeline.log", "demo-atm-job.log", "demo-handlers.log")


def log_tails(logs: Path, lines: int = 25) -> str:
    tails = []
    for name in EXPLAINING_LOGS:
        path = logs / name
        if path.is_file():
            tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            tails.append(f"--- {name} (last {len(tail)} lines)\n" + "\n".join(tail))
    return "\n".join(tails)


def test_connect_and_broker_kills_lose_and_double_nothing() -> None:
    with fresh_twin(partitions=LIVE_EXACT_PARTITIONS) as twin:
        outcomes: list[Outcome] = run_scenarios(twin, list(SHORT_SET), seed="ci", sizes=SIZES)
        final, live = outcomes[-2], outcomes[-1]
        explanation = "" if final.pipeline_exit == 0 else log_tails(twin.home / "logs")

    reached = {o.scenario: o for o in outcomes}
    for name in SHORT_SET:
        assert reached[name].kill_point.startswith("t+"), f"{name}: {reached[name].notes}"
    assert final.verdict is not None, final.notes
    verdict = final.verdict
    assert final.pipeline_exit == 0, f"{final.notes}\n{explanation}"
    assert verdict.lines == 2 * SIZES.lines
    assert not verdict.lost, verdict.lost[:5]
    assert not verdict.doubled, verdict.doubled[:5]
    assert not verdict.warehouse_problems
    assert not verdict.report_problems

    assert live.scenario == LIVE_ROW
    assert live.live is not None
    assert live.live.compared > 0, live.live.notes
    assert not live.live.lost, (live.live.lost[:5], live.live.notes)
    assert not live.live.doubled, (live.live.doubled[:5], live.live.notes)
    assert live.live.matched == live.live.compared
