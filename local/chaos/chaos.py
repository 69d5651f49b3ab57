#!/usr/bin/env python3
"""Chaos runs of the local twin (`make chaos`) and its load ramp (`make load`).

    local/chaos/chaos.py run  [--scenarios sftp,kafka,...|short] [--seed S] [--lines N] [--files N]
    local/chaos/chaos.py load [--rates 200,500,1000,2000] [--minutes M]

`run` starts a fresh twin (own state directory, free ports), then per scenario: generates lines into
several files, uploads them over SFTP over time, SIGKILLs one part at a seeded random point, starts it
again, runs the pipeline to completion and checks every generated line against the end state. It
prints a table and writes it into docs/reliability.md ("Chaos"); exit 1 when a line was lost or doubled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaos import scenarios
from chaos.report import markdown_table, replace_section
from chaos.scenarios import SCENARIOS, SHORT_SET, Outcome, Run, Sizes
from chaos.truth import Truth
from chaos.twin_control import REPO_ROOT, ChaosError, Twin, fresh_twin

RELIABILITY_DOC = REPO_ROOT / "docs" / "reliability.md"


def run_scenarios(
    twin: Twin, names: list[str], seed: str, sizes: Sizes, pipeline_each: bool = True
) -> list[Outcome]:
    """Runs the scenarios in order on one twin; the end state is checked against every line so far.
    Without `pipeline_each`, the pipeline runs once after the last kill and one check covers them all
    (the last outcome carries it)."""
    staging = Path(tempfile.mkdtemp(prefix="chaos-files-"))
    run = Run(twin, Truth(), random.Random(seed), staging, sizes, seed)
    outcomes = []
    for name in names:
        run.rng = random.Random(f"{seed}/{name}")
        try:
            outcomes.append(scenarios.run_scenario(run, SCENARIOS[name], pipeline_after=pipeline_each))
        except ChaosError as error:
            outcome = Outcome(name, "not reached", 0)
            outcome.notes.append(f"scenario could not run: {error}")
            outcomes.append(outcome)
    if not pipeline_each and outcomes:
        final = Outcome("end state after all kills", "-", run.truth.total)
        scenarios._pipeline(run, final)
        final.verdict = scenarios.end_state.check(twin, run.truth, twin.pipeline_env())
        outcomes.append(final)
    return outcomes


def outcome_rows(outcomes: list[Outcome]) -> list[list[object]]:
    rows = []
    for o in outcomes:
        v = o.verdict
        lost = "-" if v is None else len(v.lost)
        doubled = "-" if v is None else len(v.doubled)
        notes = list(o.notes)
        if v is not None:
            if v.raw_redelivered:
                notes.append(f"{v.raw_redelivered} line(s) re-delivered into raw, removed by the job's dedup")
            notes += v.warehouse_problems
            notes += [f"report {name}: {what}" for name, what in v.report_problems.items()]
            notes.append("warehouse = processed, reports = recomputation" if v.ok else "")
        rows.append(
            [o.scenario, o.kill_point, o.lines, lost, doubled, o.recovery, "; ".join(n for n in notes if n)]
        )
    return rows


HEADER = ("scenario", "kill point", "lines", "lost", "doubled", "recovery", "end state")


def command_run(args: argparse.Namespace) -> int:
    names = list(SHORT_SET) if args.scenarios == "short" else scenarios.parse_names(args.scenarios)
    sizes = Sizes(lines=args.lines, files=args.files, spacing_seconds=args.spacing)
    print(f"chaos seed {args.seed}: scenarios {', '.join(names)}; {sizes.lines} lines x {sizes.files} files")
    began = time.monotonic()
    with fresh_twin(keep=args.keep) as twin:
        outcomes = run_scenarios(twin, names, args.seed, sizes)
    table = markdown_table(HEADER, outcome_rows(outcomes))
    print("\n" + table)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        if o.verdict is not None:
            for finding in (o.verdict.lost + o.verdict.doubled)[:10]:
                print(f"  {o.scenario}: {finding}")
    if args.write_doc:
        write_chaos_doc(table, args, sizes, time.monotonic() - began)
        print(f"\nwritten to {RELIABILITY_DOC.relative_to(REPO_ROOT)} (section Chaos)")
    return 1 if failed else 0


def write_chaos_doc(table: str, args: argparse.Namespace, sizes: Sizes, seconds: float) -> None:
    load = os.getloadavg()
    body = f"""
`make chaos` (`local/chaos/chaos.py run`) starts a fresh twin and, per scenario, writes generated lines
(1 % bad, 0.5 % duplicates) into the SFTP drop in several files over time, kills one part with SIGKILL
at a seeded random point, starts it again with `local/twin.py start <service>`, runs
`local/pipeline/run-pipeline.ts --ticks-only` to completion and checks the end state against the
generator's own record of every line (its files and `--bad-out`): every good line exactly once in the
processed zone (by transaction id), every bad line exactly once in quarantine (by the line), the
deliberate duplicates in neither; the warehouse holding exactly the processed transaction ids; every
report the job wrote equal to the same report recomputed from the processed zone
(`sql/athena/<report>.sql` on DuckDB). Checks are cumulative: each scenario checks every line
generated so far on that twin. `lost` and `doubled` count lines of the end state; a line the sink
wrote twice into the raw zone (at-least-once delivery) is only a note when the job removed it.

Last run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, seed `{args.seed}`, {sizes.lines} lines in
{sizes.files} files per scenario, {sizes.spacing_seconds:g} s apart, {seconds / 60:.0f} minutes in all;
load average {load[0]:.1f} at the end on 2 cores shared with other test runs.
Command: `make chaos CHAOS_ARGS='--seed {args.seed} --lines {sizes.lines} --files {sizes.files}'`.

{table}

`test/local/test_chaos_short.py` (in `make test`) runs the Connect worker and broker kills with 600
lines and checks the same end state once after both.
"""
    replace_section(RELIABILITY_DOC, "Chaos", body)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="local/chaos/chaos.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="the kill scenarios")
    run.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma list of {', '.join(SCENARIOS)}, or short"
    )
    run.add_argument(
        "--seed", default=os.environ.get("CHAOS_SEED", "7"), help="seeds the data and the kill points"
    )
    run.add_argument("--lines", type=int, default=3000, help="lines per scenario")
    run.add_argument("--files", type=int, default=6, help="files per scenario")
    run.add_argument("--spacing", type=float, default=3.0, help="seconds between two uploads")
    run.add_argument("--keep", action="store_true", help="keep the twin's state directory for inspection")
    run.add_argument(
        "--no-doc", dest="write_doc", action="store_false", help="do not write docs/reliability.md"
    )
    load = commands.add_parser("load", help="the load ramp")
    load.add_argument("--rates", default="200,500,1000,2000", help="lines per second, comma list")
    load.add_argument("--minutes", type=float, default=2.5, help="minutes per rate")
    load.add_argument(
        "--no-doc", dest="write_doc", action="store_false", help="do not write docs/reliability.md"
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return command_run(args)
        from chaos import load

        return load.command_load(args)
    except ChaosError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
