"""The chaos run's live-alerts verdict without a twin: what counts as a lost and as a doubled alert, the
scenarios' event periods (each after the one before, so the live rules never see a card's past late),
and the reading of the consumer's batch lines."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from pathlib import Path

from twin_harness import REPO_ROOT  # noqa: F401 - puts local/ on sys.path

from chaos.live_alerts import LiveConsumer, judge
from chaos.scenarios import PERIOD_DAYS, event_period_start

BOTH = {"matched": 2, "onlyBatch": [], "onlyLive": []}


def test_every_alert_once_is_ok() -> None:
    once = Counter({"a": 1, "b": 1})
    verdict = judge(BOTH, once, once, {"a": True, "b": True}, once)
    assert verdict.ok
    assert (verdict.compared, verdict.matched, verdict.lost, verdict.doubled) == (2, 2, [], [])


def test_one_side_only_is_lost() -> None:
    once = Counter({"a": 1})
    comparison = {"matched": 1, "onlyBatch": ["burst c1"], "onlyLive": ["travel c2"]}
    verdict = judge(comparison, once, once, {"a": True}, once)
    assert verdict.compared == 3
    assert len(verdict.lost) == 2
    assert not verdict.ok


def test_stored_but_not_notified_is_lost() -> None:
    once = Counter({"a": 1, "b": 1})
    unmarked = judge(BOTH, once, once, {"a": True, "b": False}, once)
    unsent = judge(BOTH, once, Counter({"a": 1}), {"a": True, "b": True}, once)
    assert [len(v.lost) for v in (unmarked, unsent)] == [1, 1]
    assert "b" in unmarked.lost[0] and "b" in unsent.lost[0]


def test_twice_raised_stored_or_notified_is_doubled() -> None:
    once = Counter({"a": 1, "b": 1})
    twice = Counter({"a": 1, "b": 2})
    stored = {"a": True, "b": True}
    for verdict, name in (
        (judge(BOTH, once, once, stored, twice), "raised"),
        (judge(BOTH, twice, once, stored, once), "archived"),
        (judge(BOTH, once, twice, stored, once), "notified"),
    ):
        assert verdict.doubled == [f"alert b {name} 2 times"]
        assert not verdict.ok


def test_nothing_compared_is_not_ok() -> None:
    none: Counter[str] = Counter()
    assert not judge({"matched": 0, "onlyBatch": [], "onlyLive": []}, none, none, {}, none).ok


def test_event_periods_follow_each_other_without_overlap() -> None:
    starts = [dt.date.fromisoformat(event_period_start(i)) for i in range(8)]
    for earlier, later in itertools.pairwise(starts):
        assert later > earlier + dt.timedelta(days=PERIOD_DAYS)


def test_records_through_the_logic_past_the_committed_offset(tmp_path: Path) -> None:
    consumer = LiveConsumer.__new__(LiveConsumer)  # only its log is read
    consumer.log_path = tmp_path / "live.log"
    consumer.log_path.write_text(
        "== chaos: starting the live-alerts consumer, stats stats-0.json\n"
        "[live-alerts] batch bank-transactions-0 offsets 900..999: 100 record(s), 0 alert(s) stored\n"
        "== chaos: starting the live-alerts consumer, stats stats-1.json\n"
        "[live-alerts] batch bank-transactions-0 offsets 0..99: 100 record(s), 1 alert(s) stored\n"
        "[live-alerts] batch bank-transactions-0 offsets 100..149: 50 record(s), 0 alert(s) stored\n"
        "[live-alerts] batch bank-transactions-1 offsets 0..9: 10 record(s), 0 alert(s) stored\n"
    )
    # The current process (the last start) only: partition 0 done to 150, partition 1 to 10.
    assert consumer.processed_uncommitted({0: 100, 1: 10}) == 50
    assert consumer.processed_uncommitted({0: 150, 1: 0}) == 10
