#!/usr/bin/env python3
"""Chaos runs of the local twin (`make chaos`), its load ramp (`make load`) and the live fraud-alerts
benchmark (`make bench-live`, live_load.py).

    local/chaos/chaos.py run  [--scenarios sftp,kafka,...|short] [--seed S] [--lines N] [--files N]
    local/chaos/chaos.py load [--rates 200,500,1000,2000] [--minutes M]
    local/chaos/chaos.py live-load [--rate 500] [--minutes 5] [--ramp 600,700,...] [--ramp-minutes 2]

`run` starts a fresh twin (own state directory, free ports), then per scenario: generates lines into
several files, uploads them over SFTP over time, SIGKILLs one part at a seeded random point, starts it
again, runs the pipeline to completion and checks every generated line against the end state. The live
fraud-alerts consumer runs beside it all (live_alerts.py); after the last end state its alerts are
compared with the batch's fraud report. It prints a table and writes it into docs/reliability.md
("Chaos"); exit 1 when a line or a live alert was lost or doubled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaos import kafka_lag, live_alerts, scenarios
from chaos.end_state import FRAUD_REPORT
from chaos.report import markdown_table, replace_section
from chaos.scenarios import SCENARIOS, SHORT_SET, Outcome, Run, Sizes
from chaos.truth import Truth
from chaos.twin_control import REPO_ROOT, ChaosError, Twin, fresh_twin

RELIABILITY_DOC = REPO_ROOT / "docs" / "reliability.md"
# The live rules see a card's records in topic order, and a topic keeps order only within a partition:
# the source connector writes lines without a key, so a card's records spread over the partitions and
# arrive out of order. On one partition the live alerts must equal the fraud report exactly (as in the demo,
# whose topic scripts/demo.sh creates with one partition), so the chaos twin's topic has one.
LIVE_EXACT_PARTITIONS = 1
LIVE_ROW = f"live alerts = {FRAUD_REPORT}"


def run_scenarios(
    twin: Twin, names: list[str], seed: str, sizes: Sizes, pipeline_each: bool = False
) -> list[Outcome]:
    """Runs the scenarios in order on one twin; end states are checked against every line so far.

    With `pipeline_each` the pipeline runs after every ingest kill. Without it (the default: one
    pipeline run costs minutes on two shared cores), an ingest kill is checked at the raw zone (every
    line arrived, how many twice) and the pipeline runs once after the last ingest kill, with the full
    end-state check. Pipeline scenarios always run the pipeline, with their kill, and the full check."""
    staging = Path(tempfile.mkdtemp(prefix="chaos-files-"))
    run = Run(twin, Truth(), random.Random(seed), staging, sizes, seed)
    topic = live_topic(twin)
    # Subscribed before the consumer starts, so the queue holds every notification it ever sends.
    queue_url = live_alerts.subscribe_notifications(twin.pipeline_env())
    run.live = live_alerts.LiveConsumer(twin, topic)
    try:
        outcomes = _run_in(run, names, pipeline_each)
        outcomes.append(live_outcome(run, run.live, queue_url))
        return outcomes
    finally:
        run.live.stop()
        shutil.rmtree(staging, ignore_errors=True)


def live_topic(twin: Twin) -> str:
    """The sink's topic, which the live consumer reads; refused unless it has one partition."""
    connect = twin.endpoints()["TWIN_CONNECT_URL"]
    topic = kafka_lag.sink_group(connect).topic
    partitions = len(kafka_lag.end_offsets(int(twin.env["TWIN_KAFKA_PORT"]), topic))
    if partitions != LIVE_EXACT_PARTITIONS:
        raise ChaosError(
            f"topic {topic} has {partitions} partitions: the live alerts equal the batch's only on one "
            f"(start the twin with fresh_twin(partitions={LIVE_EXACT_PARTITIONS}))"
        )
    return topic


def live_outcome(run: Run, consumer: live_alerts.LiveConsumer, queue_url: str) -> Outcome:
    """The live alerts of the whole run against the batch's fraud report, after the last end-state check."""
    outcome = Outcome(LIVE_ROW, "-", run.truth.total)
    print(f"\n== {LIVE_ROW}: the consumer catches up, then every alert against the batch", flush=True)
    try:
        outcome.live = live_alerts.check(run.twin, consumer, queue_url)
        outcome.recovery = (
            f"consumer ended on its own {len(consumer.restarts)} time(s), started again by the driver"
            if consumer.restarts
            else "consumer never ended on its own"
        )
    except Exception as error:  # the lines' rows above stand; this row says why it has no verdict
        outcome.live = live_alerts.LiveVerdict()
        outcome.live.notes.append(f"live check could not run: {type(error).__name__}: {error}")
    live = outcome.live
    print(f"  {len(live.lost)} lost, {len(live.doubled)} doubled; {'; '.join(live.notes)}", flush=True)
    return outcome


def _run_in(run: Run, names: list[str], pipeline_each: bool) -> list[Outcome]:
    outcomes: list[Outcome] = []
    unsettled = False
    for name in names:
        scenario = SCENARIOS[name]
        if scenario.trigger is None and unsettled:
            outcomes.append(scenarios.settle(run, "end state after the ingest kills"))
            unsettled = False
        run.rng = random.Random(f"{run.seed}/{name}")
        try:
            outcomes.append(scenarios.run_scenario(run, scenario, pipeline_after=pipeline_each))
            unsettled = scenario.trigger is not None and not pipeline_each
        except Exception as error:  # one broken scenario must not hide the results of the others
            outcome = Outcome(name, "not reached", 0)
            outcome.notes.append(f"scenario could not run: {type(error).__name__}: {error}")
            outcomes.append(outcome)
    if unsettled:
        outcomes.append(scenarios.settle(run, "end state after the ingest kills"))
    return outcomes


def outcome_rows(outcomes: list[Outcome]) -> list[list[object]]:
    rows: list[list[object]] = []
    for o in outcomes:
        if o.live is not None:
            rows.append(
                [
                    o.scenario,
                    o.kill_point,
                    o.lines,
                    len(o.live.lost),
                    len(o.live.doubled),
                    o.recovery,
                    "; ".join(o.live.notes),
                ]
            )
            continue
        v = o.verdict
        lost = "-" if v is None else len(v.lost)
        doubled = "-" if v is None else len(v.doubled)
        notes = list(o.notes)
        if v is not None:
            if v.raw_redelivered:
                removed = "" if v.raw_only or not v.ok else ", each removed by the job's de-duplication"
                notes.append(f"{v.raw_redelivered} line(s) re-delivered into the raw zone{removed}")
            notes += v.warehouse_problems
            notes += [f"report {name}: {what}" for name, what in v.report_problems.items()]
            if v.raw_only:
                notes.append("raw zone checked; processed, warehouse and reports in the end-state row")
            elif v.ok:
                notes.append("every line once; warehouse = processed; reports = recomputation")
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
    with fresh_twin(keep=args.keep, partitions=LIVE_EXACT_PARTITIONS) as twin:
        outcomes = run_scenarios(twin, names, args.seed, sizes, pipeline_each=args.pipeline_each)
    table = markdown_table(HEADER, outcome_rows(outcomes))
    print("\n" + table)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        if o.live is not None:
            for finding in (o.live.lost + o.live.doubled)[:10]:
                print(f"  {o.scenario}: {finding}")
        if o.verdict is not None:
            for finding in (o.verdict.lost + o.verdict.doubled)[:10]:
                print(f"  {o.scenario}: {finding}")
    if args.write_doc:
        write_chaos_doc(table, args, sizes, time.monotonic() - began)
        print(f"\nwritten to {RELIABILITY_DOC.relative_to(REPO_ROOT)} (section Chaos)")
    return 1 if failed else 0


LIVE_DOC = """\
The live fraud-alerts consumer (`local/pipeline/live-alerts.ts`: the live-alerts Lambda's logic and
AWS adapters, card state and alerts in DynamoDB and SNS on moto, the archive in s3proxy, as in
`make demo`) runs in its own consumer group for the whole run, through every kill. When the broker
goes away it reconnects by itself; when its process ends anyway, the driver starts it again in the
same group, which resumes at the group's committed offsets. That is what AWS does: the event source
mapping's pollers keep polling through a broker outage and invoke the function again with every record
whose offset was not committed. The `live-alerts` scenario SIGKILLs the consumer itself while its
group has records on the topic it has not committed (fetched, in the logic, or about to be committed)
and starts it again. After the last end-state check the consumer catches up with the topic and stops,
and the row `{row}` compares every archived live alert with the batch's
`{batch}`, alert by alert (rule, card, window), with the demo's comparison
(`local/chaos/live-alerts-check.ts` calls `live-reconciliation.ts`): an alert only in `{batch}` or
only live is `lost`, and so is one stored but never notified; an alert id raised (the consumers'
stats), stored (rows of the archive) or notified (SNS messages, delivered on moto to an SQS queue
subscribed before the first record) more than once is `doubled`. What keeps a restart from losing or
doubling an alert: a batch's offsets are committed only after its alerts are stored and notified (or
its failing records given up to the on-failure queue), and an alert's id is deterministic (rule, card,
window), recorded with a conditional put that refuses an id already notified. One gap remains by
design: a consumer killed between an alert's SNS message and its `notified` mark notifies it again
after the restart (at least once, as the mapping is), which this row would count as doubled.

The comparison is exact only on a topic of one partition: the live rules see a card's records in topic
order, the source connector writes lines without a key, and on several partitions a card's records
arrive out of order. The chaos twin's topic therefore has one partition, as the demo's
(`scripts/demo.sh`), and `run` refuses a topic with more. Each scenario's lines are of their own
30-day event period, after the previous scenario's (event time moves forward on the topic, as over the
demo's runs), and 3 % of the good lines are injected fraud (`--fraud-ratio 0.03`), so every scenario
raises alerts to compare.
"""


def write_chaos_doc(table: str, args: argparse.Namespace, sizes: Sizes, seconds: float) -> None:
    load = os.getloadavg()
    body = f"""
`make chaos` (`local/chaos/chaos.py run`) starts a fresh twin (own state directory, free ports) and
runs each scenario on it in turn. An ingest scenario generates lines (1 % bad, 0.5 % duplicates) into
several files, uploads them into the SFTP drop over time, kills one part with SIGKILL at a seeded
random point, starts it again with `local/twin.py start <service>`, and waits until the raw zone holds
every generated line; its row counts lines missing from the raw zone (`lost`) and copies beyond the
generated ones (re-deliveries: the connectors are at-least-once). After the ingest scenarios,
`local/pipeline/run-pipeline.ts --ticks-only` runs to completion and the end state is checked against
the generator's own record of every line (its files and `--bad-out`): every good line exactly once in
the processed zone (by transaction id), every bad line exactly once in quarantine (by its text: a
text the generator wrote twice, such as `null`, is quarantined once), the deliberate duplicates in
neither (`lost` and `doubled` of that row); the warehouse holding exactly the processed transaction
ids; every report the job wrote equal to the same report recomputed from the processed zone
(`sql/athena/<report>.sql` on DuckDB). A pipeline scenario (PostgreSQL, the Spark driver) lands its
lines first, kills its part while the pipeline runs, and checks the full end state after it. Checks
are cumulative: every line generated so far on the twin. `--pipeline-each` runs the pipeline after
every ingest kill instead (one pipeline run costs minutes on two shared cores).

{LIVE_DOC.format(row=LIVE_ROW, batch=FRAUD_REPORT)}
Last run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, seed `{args.seed}`, {sizes.lines} lines in
{sizes.files} files per scenario, {sizes.spacing_seconds:g} s apart, {seconds / 60:.0f} minutes in all;
load average {load[0]:.1f} at the end on 2 cores shared with other test runs.
Command: `make chaos CHAOS_ARGS='--seed {args.seed} --lines {sizes.lines} --files {sizes.files}'`.

{table}

Why lines are re-delivered, and what that means downstream:

- A Kafka broker kill takes the Connect worker's group coordinator with it: the worker stops its tasks
  for a rebalance, the source task's graceful stop times out before its offsets are flushed
  ("Timed out waiting to flush offsets to storage" in connect.log), and the restarted task reads again
  from the last committed source offset. A Connect worker kill repeats the lines read since the last
  offset commit in the same way. Both are the documented at-least-once delivery of the source.
- The S3 sink never wrote a record twice: its object keys carry the start offset and the raw objects
  of every partition are contiguous, without overlap, after every kill.
- After a broker kill the raw zone completes about five minutes later (the kafka row). The broker is
  back in seconds, but the Connect worker rejoins its group under a new member id, and the group's
  leader holds the tasks it counts as lost for `scheduled.rebalance.max.delay.ms` (Kafka's default,
  300 s) before it assigns them again. Nothing is lost meanwhile: the lines wait in the SFTP drop and
  on the topic. Neither the twin's worker nor the stack's MSK Connect worker configuration
  (`connectors/connector-config.ts`, `workerProperties`) sets it, so both wait the default; MSK
  Connect accepts the property (every worker property without a `producer.` or `consumer.` prefix but
  those it lists), so a shorter wait is one line of the worker configuration.
- The job removes every re-delivered line (`bankpipe/dedup.py`): a good one by its `transaction_id`
  (`duplicate_in_run`, or `duplicate_of_processed` when the copy lands in a later hour), a bad one by
  its exact text (`duplicate_in_run`, or `duplicate_of_quarantined` when an earlier run quarantined
  that text). The raw zone keeps no source file and line, so a re-delivered bad line cannot be told
  from a second bad line with the same text (the generator writes `null` in every run): identical bad
  lines are quarantined once and the other copies counted as duplicates (the manifest's
  `duplicate_bad_lines`). The cure for the cause is exactly-once source delivery (Kafka Connect's
  `exactly.once.source.support`, with the sink's consumer reading committed records only); MSK
  Connect's list of supported worker properties has no `consumer.isolation.level`
  (https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect-supported-worker-config-properties.html),
  so the twin does not switch it on for one side only.

`test/local/test_chaos_short.py` (in `make test`) runs the Connect worker and broker kills with 600
lines each and the same end-state check after both, then the live alerts' row: at least one alert
compared, none lost, none doubled.
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
    run.add_argument(
        "--pipeline-each",
        action="store_true",
        help="run the pipeline after every ingest kill, not once after them",
    )
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
    from chaos import live_load

    live_load.add_parser(commands)
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    # A SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C: the twin and the pipeline are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if args.command == "run":
            return command_run(args)
        if args.command == "live-load":
            from chaos import live_load

            return live_load.command_live_load(args)
        from chaos import load

        return load.command_load(args)
    except ChaosError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
