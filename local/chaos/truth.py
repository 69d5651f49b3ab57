"""What the generator wrote, line by line: the truth a chaos run checks the end state against.

The generator's files are read before they are uploaded, and its `--bad-out` record names every bad
or duplicate line by file and line number, so each line is known to be good (must reach the processed
zone once, by transaction id), bad (must reach quarantine once, as the line itself, however many
times the generator wrote that text) or a deliberate duplicate of a good line (must reach neither:
the job counts it as a duplicate).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from chaos.twin_control import REPO_ROOT, TSX

GENERATOR = REPO_ROOT / "tools" / "generator" / "cli.ts"


@dataclass
class Truth:
    """Lines of one or more generator runs, by what must become of them."""

    good_ids: Counter[str] = field(default_factory=Counter)
    # Times each bad text was written; it must be quarantined once whatever the count (`null`, for one,
    # is written by every run of the generator).
    bad_lines: Counter[str] = field(default_factory=Counter)
    duplicate_lines: int = 0
    all_lines: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.all_lines.values())

    def add(self, other: Truth) -> None:
        self.good_ids.update(other.good_ids)
        self.bad_lines.update(other.bad_lines)
        self.duplicate_lines += other.duplicate_lines
        self.all_lines.update(other.all_lines)


def run_generator(out_dir: Path, seed: str, count: int, *options: str) -> None:
    """The transaction generator (tools/generator) writing `count` lines seeded `seed` into `out_dir`,
    replacing what was there; `options` add to its command line."""
    command = [str(TSX), str(GENERATOR), "--seed", seed, "--count", str(count), "--out", str(out_dir)]
    subprocess.run(
        [*command, "--overwrite", *options], cwd=REPO_ROOT, check=True, capture_output=True, text=True
    )


# Share of good lines that are injected fraud: ten times the generator's default, so that even the short
# chaos set's few hundred lines per scenario raise live alerts to compare with the batch's.
FRAUD_RATIO = 0.03


def generate(
    out_dir: Path, seed: str, count: int, files: int, start: str | None = None, days: int = 30
) -> tuple[list[Path], Truth]:
    """Runs the generator into `out_dir` (1 % bad lines, 0.5 % duplicates, as the demo; injected fraud
    at FRAUD_RATIO), with events from `start` over `days` days, and reads it back."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bad_out = out_dir.parent / f"{out_dir.name}.bad.jsonl"
    demo_mix = ["--bad-ratio", "0.01", "--duplicate-ratio", "0.005", "--bad-out", str(bad_out)]
    period = ["--days", str(days), "--fraud-ratio", str(FRAUD_RATIO)]
    if start is not None:
        period += ["--start", start]
    run_generator(out_dir, seed, count, "--files", str(files), *demo_mix, *period)
    kinds = {}
    for text in bad_out.read_text().splitlines():
        entry = json.loads(text)
        kinds[(entry["file"], int(entry["line"]))] = entry["kind"]
    truth = Truth()
    paths = sorted(out_dir.glob("*.jsonl"))
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            truth.all_lines[line] += 1
            kind = kinds.get((path.name, number))
            if kind is None:
                truth.good_ids[json.loads(line)["transaction_id"]] += 1
            elif kind == "duplicate":
                truth.duplicate_lines += 1
            else:
                truth.bad_lines[line] += 1
    repeated = [tid for tid, n in truth.good_ids.items() if n > 1]
    if repeated:
        raise ValueError(
            f"generator seed {seed} wrote {len(repeated)} good transaction ids twice, e.g. {repeated[0]}"
        )
    return paths, truth
