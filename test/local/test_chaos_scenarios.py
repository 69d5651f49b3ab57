"""The PostgreSQL scenario's kill-point pieces that need no twin: the uncommitted row that makes the
load's MERGE wait, the choice of its key, and the kill that takes a server's children with it."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from twin_harness import REPO_ROOT  # noqa: F401 - puts local/ on sys.path

from chaos.scenarios import PLACEHOLDERS, placeholder_insert, unloaded_id
from chaos.twin_control import ChaosError, Twin, children_of
from services.processes import ProcessRecord, is_running, record_for, start_ticks_of
from services.settings import Paths

COLUMNS = [
    ("transaction_id", "character varying", False),
    ("occurred_at", "timestamp with time zone", False),
    ("amount", "numeric", False),
    ("city", "character varying", True),
    ("txn_date", "date", False),
    ("is_failure", "boolean", False),
    ("latitude", "double precision", True),
]


def test_the_holding_row_has_the_key_and_a_stand_in_in_every_not_null_column_only() -> None:
    sql, values = placeholder_insert(COLUMNS, "transaction_id", "T-42")
    assert sql == (
        "INSERT INTO banking.transactions (transaction_id, occurred_at, amount, txn_date, is_failure) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    assert values == [
        "T-42",
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        0,
        dt.date(1970, 1, 1),
        False,
    ]


def test_a_not_null_column_of_an_unmapped_type_or_a_missing_key_stops_the_scenario() -> None:
    assert "interval" not in PLACEHOLDERS
    with pytest.raises(ChaosError, match=r"banking\.transactions\.took is interval"):
        placeholder_insert([*COLUMNS, ("took", "interval", False)], "transaction_id", "T-42")
    assert placeholder_insert([*COLUMNS, ("took", "interval", True)], "transaction_id", "T-42")
    with pytest.raises(ChaosError, match="no column transaction_id"):
        placeholder_insert(COLUMNS[1:], "transaction_id", "T-42")


def test_the_key_is_a_seeded_choice_among_transactions_no_load_inserted_yet() -> None:
    generated = [f"T{n}" for n in range(50)]
    loaded = [f"T{n}" for n in range(49)]
    assert unloaded_id(random.Random("a"), generated, loaded) == "T49"
    choices = {unloaded_id(random.Random(seed), generated, loaded[:25]) for seed in range(40)}
    assert choices <= {f"T{n}" for n in range(25, 50)}
    assert len(choices) > 1
    assert unloaded_id(random.Random("s"), generated, []) == unloaded_id(random.Random("s"), generated, [])
    with pytest.raises(ChaosError, match="in the warehouse already"):
        unloaded_id(random.Random("a"), generated, generated)


def test_a_kill_with_children_takes_the_recorded_process_and_every_child(tmp_path: Path) -> None:
    twin = Twin(tmp_path, {})
    Paths(tmp_path).run.mkdir(parents=True)
    # A parent that ignores its children's fate, as the postmaster's backends outlive a killed postmaster.
    script = (
        "import subprocess, time\n"
        "kids = [subprocess.Popen(['sleep', '300']) for _ in range(2)]\n"
        "time.sleep(300)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while len(children_of(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        children = children_of(parent.pid)
        assert len(children) == 2
        record_for("server", parent, {}).write(Paths(tmp_path).pid_file("server"))  # type: ignore[arg-type]
        doomed = [ProcessRecord("server", pid, start_ticks_of(pid) or 0) for pid in children]

        assert twin.kill_with_children("server", first=children[:1]) == [children[0], parent.pid, children[1]]

        assert parent.wait(30) == -9
        assert not any(is_running(child) for child in doomed)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
