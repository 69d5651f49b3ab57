"""The chaos driver's end-state rules on hand-made zones (no twin): which identity a line is counted
by, and what counts as lost, doubled or re-delivered."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from twin_harness import REPO_ROOT  # noqa: F401 - puts local/ on sys.path

from chaos.end_state import Verdict, check_raw, compare_lines, quarantined_lines
from chaos.truth import Truth


class ZonesOnDisk:
    """The part of chaos.twin_control.Twin the end-state readers use: one folder per bucket."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def bucket_dir(self, zone: str) -> Path:
        return self.root / zone


def truth_of(good: list[str], bad: list[str]) -> Truth:
    truth = Truth(good_ids=Counter(good), bad_lines=Counter(bad))
    truth.all_lines.update([json.dumps({"transaction_id": tid}) for tid in good] + bad)
    return truth


def findings(truth: Truth, processed: list[str], quarantined: list[str]) -> Verdict:
    verdict = Verdict(lines=truth.total)
    compare_lines(verdict, truth, Counter(processed), Counter(quarantined))
    return verdict


def test_a_bad_text_generated_twice_must_be_quarantined_exactly_once() -> None:
    truth = truth_of(["T1"], ["null", "null", "{broken"])
    assert findings(truth, ["T1"], ["null", "{broken"]).ok
    twice = findings(truth, ["T1"], ["null", "null", "{broken"])
    assert twice.doubled == ["bad line quarantined 2 times (generated 2): null"]
    missing = findings(truth, ["T1"], ["{broken"])
    assert missing.lost == ["bad line not quarantined: null"]


def test_good_lines_count_by_transaction_id() -> None:
    truth = truth_of(["T1", "T2"], [])
    verdict = findings(truth, ["T1", "T1", "T3"], [])
    assert verdict.lost == ["good T2: not in the processed zone"]
    assert verdict.doubled == [
        "good T1: 2 times in the processed zone",
        "T3: in the processed zone but never generated as a good line",
    ]


def test_quarantine_records_are_read_by_their_raw_line(tmp_path: Path) -> None:
    folder = tmp_path / "quarantine" / "run_id=run-1"
    folder.mkdir(parents=True)
    records = [{"run_id": "run-1", "reason": "not_an_object", "raw_line": "null", "source_file": "f"}]
    (folder / "part-00000.json").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "_SUCCESS").write_text("")
    assert quarantined_lines(ZonesOnDisk(tmp_path)) == Counter({"null": 1})  # type: ignore[arg-type]


def test_a_scenarios_re_deliveries_are_counted_against_every_line_so_far(tmp_path: Path) -> None:
    # Two scenarios each generated `null`; the second had its line b re-delivered once.
    first = truth_of(["A"], ["null"])
    second = truth_of(["B"], ["null"])
    so_far = Truth()
    so_far.add(first)
    so_far.add(second)
    raw = tmp_path / "raw" / "transactions" / "year=2026" / "hour=17"
    raw.mkdir(parents=True)
    lines = [*first.all_lines, *second.all_lines, json.dumps({"transaction_id": "B"})]
    (raw / "part-0.jsonl").write_text("\n".join(lines) + "\n")
    verdict = check_raw(ZonesOnDisk(tmp_path), second, so_far)  # type: ignore[arg-type]
    assert (verdict.lost, verdict.raw_redelivered) == ([], 1)  # the first scenario's `null` is no copy
    third = truth_of(["C"], [])
    so_far.add(third)
    lost = check_raw(ZonesOnDisk(tmp_path), third, so_far)  # type: ignore[arg-type]
    assert lost.lost == ['not in the raw zone: {"transaction_id": "C"}']
