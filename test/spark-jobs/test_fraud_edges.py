"""The batch fraud rules at their edges: each threshold of contracts/fraud-rules.json exactly, just below
and just above (count, distance, speed, time window, amount). The live rules are pinned at the same
edges in test/lambda/live-alerts/fraud-rules.test.ts.

Every case is a card of its own; cases that share rules share one DataFrame, and all of them are
evaluated in one Spark job, checked in the test that runs it: mutmut reruns, for a mutant, only the
tests that called the mutated function, and a module fixture calls it during the first test only
(`make mutation`, docs/reliability.md). Besides that job, the file costs one single-row query (the
distances the travel edges are set at).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812

from bankpipe.contract import ContractError, contract_from_schema, load_contract
from bankpipe.fraud import (
    DEFAULT_RULES,
    FLAG_COLUMNS,
    FraudRules,
    alert_keys,
    check_fraud_rules,
    flag_transactions,
    haversine_km,
    impossible_travel,
    repeated_max_amount,
)
from bankpipe.fraud_rules import (
    IMPOSSIBLE_TRAVEL,
    REPEATED_MAX_AMOUNT,
    WITHDRAWAL_BURST,
    AlertKey,
    duration_text,
)
from fixtures.frames import transaction, transactions_frame

RULES = DEFAULT_RULES
T0 = datetime(2024, 1, 5, 10, 0)
PRAGUE = {"atm_id": "ATM-PRG-001", "latitude": 50.0813, "longitude": 14.4280}
OSTRAVA = {"atm_id": "ATM-OST-001", "latitude": 49.8355, "longitude": 18.2926}
CZK_MAX = RULES.max_withdrawal_amount_by_currency["CZK"]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Case:
    name: str
    rows: list[dict[str, Any]]
    expected: set[tuple[str, str]]
    rules: FraudRules = RULES
    # Cases with rules of their own run only the rule they pin: one Spark window less per rule.
    check: Callable[[DataFrame, FraudRules], DataFrame] = flag_transactions


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def row(card: str, txn_id: str, seconds: float, **values: Any) -> dict[str, Any]:
    fields = {"card_id": card, "occurred_at": at(seconds), **PRAGUE, **values}
    return transaction(transaction_id=f"{card}/{txn_id}", **fields)


def withdrawals(card: str, count: int, last_at: float, **values: Any) -> list[dict[str, Any]]:
    """``count`` withdrawals one second apart, the last one ``last_at`` seconds after the first."""
    return [row(card, f"W{i + 1}", last_at if i == count - 1 else i, **values) for i in range(count)]


def burst_cases() -> list[Case]:
    n, w = RULES.burst_count, RULES.burst_window_seconds
    deposit_first = withdrawals("burst-deposit", n, 2 * n)
    deposit_first[0]["operation"] = "cash_deposit"
    # n withdrawals in one second (one a card_withdrawal): each counts all of them, ties included.
    ties = [row("burst-ties", f"W{i + 1}", 0) for i in range(n)]
    ties[0]["operation"] = "card_withdrawal"
    return [
        Case("burst-at-count", withdrawals("burst-at-count", n, 2 * n), {(f"W{n}", WITHDRAWAL_BURST)}),
        Case("burst-below-count", withdrawals("burst-below-count", n - 1, 2 * n), set()),
        Case(
            "burst-above-count",
            withdrawals("burst-above-count", n + 1, 2 * n),
            {(f"W{n}", WITHDRAWAL_BURST), (f"W{n + 1}", WITHDRAWAL_BURST)},
        ),
        Case("burst-window-exact", withdrawals("burst-window-exact", n, w), {(f"W{n}", WITHDRAWAL_BURST)}),
        Case(
            "burst-window-below", withdrawals("burst-window-below", n, w - 1), {(f"W{n}", WITHDRAWAL_BURST)}
        ),
        Case("burst-window-above", withdrawals("burst-window-above", n, w + 1), set()),
        # 0.999 s past the window end is rounded down to the window end.
        Case("burst-subsecond", withdrawals("burst-subsecond", n, w + 0.999), {(f"W{n}", WITHDRAWAL_BURST)}),
        Case("burst-deposit", deposit_first, set()),
        # Only ATM transactions with a card count: other channels and ATM use without a card do not.
        Case("burst-branch", withdrawals("burst-branch", n, 2 * n, channel="branch"), set()),
        Case("burst-no-card", withdrawals("burst-no-card", n, 2 * n, card_id=None), set()),
        Case("burst-ties", ties, {(f"W{i + 1}", WITHDRAWAL_BURST) for i in range(n)}),
    ]


def travel_cases(km: float) -> list[Case]:
    def trip(name: str, elapsed: float, rules: FraudRules, expected: bool, **to: Any) -> Case:
        rows = [row(name, "V1", 0), row(name, "V2", elapsed, operation="cash_deposit", **{**OSTRAVA, **to})]
        return Case(name, rows, {("V2", IMPOSSIBLE_TRAVEL)} if expected else set(), rules, impossible_travel)

    speed = km / (600 / 3600.0)
    lenient = replace(RULES, travel_max_kmh=5e-324, travel_min_km=5e-324)
    unlimited = replace(RULES, travel_max_kmh=1.7976931348623157e308)
    window = RULES.travel_window_seconds
    previous_only = [row("travel-previous", "V0", -60, **OSTRAVA), row("travel-previous", "V1", 0)]
    previous_only.append(row("travel-previous", "V2", 60, operation="cash_deposit"))
    # Same second: the previous of B is A (A < B by transaction_id), so B (in Ostrava) is flagged.
    tie = [row("travel-tie", "B", 0, **OSTRAVA), row("travel-tie", "A", 0)]
    # Time orders before transaction_id: B (Prague) is earlier, so A (Ostrava) is the one flagged.
    time_first = [row("travel-time-first", "B", 0), row("travel-time-first", "A", 60, **OSTRAVA)]
    # A transaction without coordinates is no previous transaction: V1 follows V0, not the gap.
    no_coordinates = [
        row("travel-no-coordinates", "V0", 0),
        row("travel-no-coordinates", "V1", 30, atm_id="ATM-X", latitude=None, operation="cash_deposit"),
        row("travel-no-coordinates", "V2", 60, operation="cash_deposit", **OSTRAVA),
    ]
    # The rules' own earth radius: on a sphere twice as large the trip is twice as long.
    larger_earth = replace(RULES, earth_radius_km=2 * RULES.earth_radius_km, travel_min_km=1.5 * km)
    return [
        trip("travel-km-exact", 60, replace(RULES, travel_min_km=km), True),
        trip("travel-km-above", 60, replace(RULES, travel_min_km=math.nextafter(km, math.inf)), False),
        trip("travel-km-below", 60, replace(RULES, travel_min_km=math.nextafter(km, 0)), True),
        trip("travel-speed-exact", 600, replace(RULES, travel_max_kmh=speed), False),
        trip("travel-speed-below", 600, replace(RULES, travel_max_kmh=math.nextafter(speed, 0)), True),
        trip(
            "travel-speed-above", 600, replace(RULES, travel_max_kmh=math.nextafter(speed, math.inf)), False
        ),
        trip("travel-window-below", window - 1, lenient, True),
        trip("travel-window-exact", window, lenient, False),
        trip("travel-window-above", window + 1, lenient, False),
        trip("travel-same-second", 0, unlimited, True),
        trip("travel-one-second", 1, unlimited, False),
        trip("travel-same-atm", 0, RULES, False, atm_id=PRAGUE["atm_id"]),
        Case("travel-previous", previous_only, {("V1", IMPOSSIBLE_TRAVEL)}),
        Case("travel-tie", tie, {("B", IMPOSSIBLE_TRAVEL)}),
        Case("travel-time-first", time_first, {("A", IMPOSSIBLE_TRAVEL)}),
        Case("travel-no-coordinates", no_coordinates, {("V2", IMPOSSIBLE_TRAVEL)}),
        trip("travel-larger-earth", 60, larger_earth, True),
    ]


def max_amount_cases() -> list[Case]:
    n, w = RULES.max_amount_count, RULES.max_amount_window_seconds

    def at_max(
        name: str,
        last_at: int,
        first_amount: Decimal | None = None,
        maximum: Decimal = CZK_MAX,
        **values: Any,
    ) -> list[dict[str, Any]]:
        times = [i * 3600 for i in range(n - 1)] + [last_at]
        amounts = [maximum if first_amount is None else first_amount] + [maximum] * (n - 1)
        return [
            row(name, f"W{i + 1}", t, amount=a, **values)
            for i, (t, a) in enumerate(zip(times, amounts, strict=True))
        ]

    flagged = {(f"W{n}", REPEATED_MAX_AMOUNT)}
    deposit = at_max("max-deposit", w)
    deposit[0]["operation"] = "cash_deposit"
    # With two currencies in the rules file, each is flagged at its own maximum and only at it.
    eur_max = Decimal("500.00")
    two_currencies = replace(RULES, max_withdrawal_amount_by_currency={"CZK": CZK_MAX, "EUR": eur_max})

    def two(name: str, rows: list[dict[str, Any]], expected: set[tuple[str, str]]) -> Case:
        return Case(name, rows, expected, two_currencies, repeated_max_amount)

    return [
        Case("max-exact", at_max("max-exact", w), flagged),
        Case("max-cent-below", at_max("max-cent-below", w, CZK_MAX - CENT), set()),
        Case("max-cent-above", at_max("max-cent-above", w, CZK_MAX + CENT), set()),
        Case("max-count-below", at_max("max-count-below", w)[1:], set()),
        Case(
            "max-count-above",
            [*at_max("max-count-above", w), row("max-count-above", "W9", w + 1, amount=CZK_MAX)],
            {*flagged, ("W9", REPEATED_MAX_AMOUNT)},
        ),
        Case("max-window-below", at_max("max-window-below", w - 1), flagged),
        Case("max-window-above", at_max("max-window-above", w + 1), set()),
        Case("max-other-currency", at_max("max-other-currency", w, currency="EUR"), set()),
        Case("max-deposit", deposit, set()),
        two("max-two-czk", at_max("max-two-czk", w), flagged),
        two("max-two-eur", at_max("max-two-eur", w, maximum=eur_max, currency="EUR"), flagged),
        two("max-two-czk-at-eur", at_max("max-two-czk-at-eur", w, maximum=eur_max), set()),
    ]


def fraud_flags_cases() -> list[Case]:
    """flag_transactions as a whole: the rules it is given reach each rule, and the order of its rows."""
    n, m = RULES.burst_count, RULES.max_amount_count
    # One more withdrawal needed for a burst and for a repeated maximum, and no speed limit: the
    # default rules would flag W{n} / W{m} and the trip as well.
    own = replace(RULES, burst_count=n + 1, max_amount_count=m + 1, travel_max_kmh=1.7976931348623157e308)
    trip = [row("own-travel", "V1", 0), row("own-travel", "V2", 60, operation="cash_deposit", **OSTRAVA)]
    maxima = [row("own-max", f"W{i + 1}", i * 3600, amount=CZK_MAX) for i in range(m + 1)]
    # Rows listed against the order flag_transactions returns: B and A in one second, "0" after them,
    # each of the three flagged as a burst and as a repeated maximum (D and C are too few).
    order = [
        row("flags-order", txn_id, seconds, amount=CZK_MAX)
        for txn_id, seconds in (("D", 0), ("C", 1), ("B", 2), ("A", 2), ("0", 3))
    ]
    both = {WITHDRAWAL_BURST, REPEATED_MAX_AMOUNT}
    return [
        Case("own-burst", withdrawals("own-burst", n + 1, 2 * n), {(f"W{n + 1}", WITHDRAWAL_BURST)}, own),
        Case("own-travel", trip, set(), own),
        Case("own-max", maxima, {(f"W{m + 1}", REPEATED_MAX_AMOUNT)}, own),
        Case("flags-order", order, {(txn_id, rule) for txn_id in ("B", "A", "0") for rule in both}),
    ]


@pytest.fixture(scope="module")
def contract(schema_path):
    return load_contract(str(schema_path))


def reference_haversine_km(lat1: float, lon1: float, lat2: float, lon2: float, radius: float) -> float:
    """The haversine formula in plain Python, to check the job's Spark expression against."""
    dlat, dlon = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = (
        math.sin(dlat / 2) ** 2
        + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(dlon / 2) ** 2
    )
    return 2 * radius * math.asin(min(1.0, math.sqrt(a)))


# (lat1, lon1, lat2, lon2, radius): Prague to Ostrava on the rules file's sphere (the travel edges),
# half the equator and a quarter meridian on the unit sphere, the same point, and two points
# antipodal to within 1e-13 degrees, where rounding makes the haversine's sqrt(a) 1.0000000000000002
# (in Spark as in Python): without the clamp to 1 its arcsine is NaN.
DISTANCES = [
    (
        PRAGUE["latitude"],
        PRAGUE["longitude"],
        OSTRAVA["latitude"],
        OSTRAVA["longitude"],
        RULES.earth_radius_km,
    ),
    (0.0, 0.0, 0.0, 180.0, 1.0),
    (0.0, 10.0, 90.0, 10.0, 1.0),
    (-33.5, 151.0, 40.25, -74.0, 1.0),
    (50.0, 14.0, 50.0, 14.0, 1.0),
    (-58.88412319526995, -165.88130996399747, 58.88412319527, 14.118690036002533, 1.0),
]


def measured_km(spark) -> list[float]:
    """The distances of DISTANCES as the job measures them (the default radius for the first one)."""
    columns = [
        haversine_km(F.lit(lat1), F.lit(lon1), F.lit(lat2), F.lit(lon2), None if i == 0 else radius)
        for i, (lat1, lon1, lat2, lon2, radius) in enumerate(DISTANCES)
    ]
    return list(spark.range(1).select(*[c.alias(f"d{i}") for i, c in enumerate(columns)]).first())


def test_every_rule_at_its_edges(spark, contract):
    distances = measured_km(spark)
    assert distances == pytest.approx([reference_haversine_km(*d) for d in DISTANCES], rel=1e-12, abs=0)
    assert distances[1] == pytest.approx(math.pi, rel=1e-15)
    assert distances[2] == pytest.approx(math.pi / 2, rel=1e-15)
    assert distances[5] == pytest.approx(math.pi, rel=1e-15)
    # The travel edges are set at the job's own distance, so each edge is exact to the double.
    every_case = burst_cases() + travel_cases(distances[0]) + max_amount_cases() + fraud_flags_cases()
    cases = {case.name: case for case in every_case}
    groups: dict[tuple[str, str], list[Case]] = {}  # FraudRules holds a dict: grouped by its repr
    for case in cases.values():
        groups.setdefault((repr(case.rules), case.check.__name__), []).append(case)
    frames = [
        group[0].check(
            transactions_frame(spark, contract, [r for c in group for r in c.rows]), group[0].rules
        )
        for group in groups.values()
    ]
    flags = reduce(lambda a, b: a.unionByName(b), frames)
    assert flags.columns == list(FLAG_COLUMNS)
    rows = flags.collect()
    found: dict[str, set[tuple[str, str]]] = {name: set() for name in cases}
    for flag in rows:
        card, txn_id = flag.transaction_id.split("/")
        found[card].add((txn_id, flag.rule))
    assert found == {name: case.expected for name, case in cases.items()}
    # flag_transactions orders its rows by card, time, transaction and rule (the report's file keeps that
    # order); the union keeps each frame's rows in their order.
    for group in groups.values():
        if group[0].check is flag_transactions:
            names = {case.name for case in group}
            keys = [(f.card_id, f.occurred_at, f.transaction_id, f.rule) for f in rows if f.card_id in names]
            assert keys == sorted(keys)
    assert {flag.account_id for flag in rows} == {"ACC1"}
    details = {(flag.transaction_id, flag.rule): flag.detail for flag in rows}
    n, burst_window = RULES.burst_count, duration_text(RULES.burst_window_seconds)
    assert details[(f"burst-at-count/W{n}", WITHDRAWAL_BURST)] == (
        f"{n} ATM withdrawals by the card within {burst_window}"
    )
    for trip, minutes in (("travel-km-exact", "1.0"), ("travel-speed-below", "10.0")):
        assert details[(f"{trip}/V2", IMPOSSIBLE_TRAVEL)] == (
            f"{distances[0]:.1f} km from ATM {PRAGUE['atm_id']} in {minutes} minutes"
        )
    m, max_window = RULES.max_amount_count, duration_text(RULES.max_amount_window_seconds)
    assert details[(f"max-exact/W{m}", REPEATED_MAX_AMOUNT)] == (
        f"{m} withdrawals of the maximum amount {CZK_MAX} CZK within {max_window}"
    )


def test_the_alert_of_a_flag_is_its_rule_card_and_window(spark, contract):
    burst = burst_cases()[0]
    flags = flag_transactions(transactions_frame(spark, contract, burst.rows), RULES)
    # A naive datetime is local time to PySpark, as to datetime.timestamp().
    end = int(burst.rows[-1]["occurred_at"].timestamp())
    assert alert_keys(flags, RULES) == {
        AlertKey(WITHDRAWAL_BURST, burst.name, end - RULES.burst_window_seconds, end)
    }


def test_the_edges_use_the_rules_file():
    # The thresholds come from the rules file, so a change there moves the edges with it.
    exact = next(case for case in burst_cases() if case.name == "burst-window-exact").rows
    assert (exact[-1]["occurred_at"] - exact[0]["occurred_at"]).total_seconds() == RULES.burst_window_seconds
    assert len(exact) == RULES.burst_count
    assert next(case for case in max_amount_cases() if case.name == "max-exact").rows[0]["amount"] == CZK_MAX


def test_details_say_the_window_as_the_rules_file_sets_it():
    assert [duration_text(s) for s in (86400, 3600, 600, 60, 61, 1)] == [
        "24 hours",
        "1 hour",
        "10 minutes",
        "1 minute",
        "61 seconds",
        "1 second",
    ]


def schema_without(schema: dict, name: str, value: str | None = None) -> dict:
    """The schema without property ``name``, or without ``value`` in that property's enum."""
    changed = json.loads(json.dumps(schema))
    if value is None:
        del changed["properties"][name]
        changed["required"] = [field for field in changed.get("required", []) if field != name]
        for conditional in changed.get("allOf", []):
            then = conditional.get("then", {})
            then["required"] = [field for field in then.get("required", []) if field != name]
    else:
        changed["properties"][name]["enum"].remove(value)
    return changed


def test_the_rules_check_the_contract_has_what_they_read(schema_path):
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    check_fraud_rules(contract_from_schema(schema, "contract.json"))
    for name, value in (
        ("operation", "cash_withdrawal"),
        ("operation", "card_withdrawal"),
        ("channel", "atm"),
    ):
        with pytest.raises(ContractError, match=rf"^the job relies on {name} values \['{value}'\] "):
            check_fraud_rules(contract_from_schema(schema_without(schema, name, value), "contract.json"))
    for name in ("card_id", "atm_id", "latitude", "longitude", "currency"):
        with pytest.raises(ContractError, match=rf"^the contract contract.json has no property '{name}'"):
            check_fraud_rules(contract_from_schema(schema_without(schema, name), "contract.json"))
