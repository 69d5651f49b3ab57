"""The short chaos set on the real local twin: the Kafka Connect worker killed (SIGKILL) while the SFTP
source reads files, then the Kafka broker killed while lines flow, each started again; after both, the
pipeline runs to completion and every generated line must be exactly once in the processed zone or
quarantine, the warehouse must equal the processed zone and the reports a recomputation.

The full set (SFTP, S3, sink uploads, PostgreSQL during the MERGE, the Spark driver): `make chaos`.
Run: .local/venv/bin/python -m pytest test/local/test_chaos_short.py -m chaos
(twin start, two kills of ~1 min each, one pipeline run: its Spark job dominates; on two cores busy with
other work that run alone took 10-15 min)
"""

from __future__ import annotations

import pytest
from twin_harness import REPO_ROOT  # noqa: F401 - puts local/ on sys.path

from chaos.chaos import run_scenarios
from chaos.scenarios import SHORT_SET, Sizes
from chaos.twin_control import fresh_twin

# Marked `chaos`, so `make test` leaves it out; run it with `-m chaos`.
pytestmark = [pytest.mark.twin, pytest.mark.chaos]

SIZES = Sizes(lines=600, files=3, spacing_seconds=2.0)


def test_connect_and_broker_kills_lose_and_double_nothing() -> None:
    with fresh_twin() as twin:
        outcomes = run_scenarios(twin, list(SHORT_SET), seed="ci", sizes=SIZES)

    reached = {o.scenario: o for o in outcomes}
    for name in SHORT_SET:
        assert reached[name].kill_point.startswith("t+"), f"{name}: {reached[name].notes}"
    final = outcomes[-1]
    assert final.verdict is not None, final.notes
    verdict = final.verdict
    assert final.pipeline_exit == 0, final.notes
    assert verdict.lines == 2 * SIZES.lines
    assert not verdict.lost, verdict.lost[:5]
    assert not verdict.doubled, verdict.doubled[:5]
    assert not verdict.warehouse_problems
    assert not verdict.report_problems
