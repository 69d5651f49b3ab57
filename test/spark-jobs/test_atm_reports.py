"""reports and fraud rules on a handful of stored transactions (expected values worked out by hand)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import functions as F  # noqa: N812

from bankpipe.contract import load_contract
from bankpipe.fraud import DEFAULT_RULES, flag_transactions, haversine_km
from bankpipe.reports import REPORTS, has_values, reports_without_data
from fixtures.frames import transaction, transactions_frame

ATM1 = {"atm_id": "ATM-1", "atm_location": "Wenceslas Square 1", "city": "Prague", "country": "CZ"}
ATM2 = {"atm_id": "ATM-2", "atm_location": "Old Town Square 5", "city": "Prague", "country": "CZ"}
ROWS = [
    transaction(
        transaction_id="T1",
        amount="100.00",
        card_id="C1",
        card_type="classic",
        age_band="26-35",
        gender="F",
        **ATM1,
    ),
    transaction(
        transaction_id="T2", amount="50.00", status="declined", card_id="C1", card_type="classic", **ATM1
    ),
    transaction(
        transaction_id="T3",
        occurred_at=datetime(2024, 1, 20, 18, 30),
        operation="card_withdrawal",
        amount="30.00",
        card_id="C2",
        card_type="gold",
        age_band="26-35",
        gender="F",
        **ATM2,
    ),
    transaction(
        transaction_id="T4",
        occurred_at=datetime(2024, 2, 1, 9, 0),
        type="credit",
        operation="transfer_in",
        channel="branch",
        amount="500.00",
    ),
    transaction(
        transaction_id="T5",
        occurred_at=datetime(2023, 12, 31, 23, 0),
        operation="payment",
        channel="online",
        amount="20.00",
        age_band="66+",
        gender="M",
    ),
    transaction(
        transaction_id="T6",
        occurred_at=datetime(2024, 2, 1, 9, 5),
        status="failed",
        amount="40.00",
        card_id="C3",
        **ATM2,
    ),
    transaction(
        transaction_id="T7",
        occurred_at=datetime(2024, 2, 1, 9, 10),
        status="reversed",
        amount="60.00",
        card_id="C2",
        card_type="gold",
        **(ATM2 | {"atm_location": "Old Town Sq. 5"}),
    ),
]


@pytest.fixture(scope="module")
def contract(schema_path):
    return load_contract(str(schema_path))


@pytest.fixture(scope="module")
def reports(spark, contract) -> dict[str, list[tuple]]:
    frame = transactions_frame(spark, contract, ROWS).cache()
    result = {name: [tuple(row) for row in build(frame).collect()] for name, build in REPORTS.items()}
    result["has_customer_data"] = has_values(frame, "gender")
    result["without_data"] = reports_without_data(frame)
    result["without_data_if_no_customers"] = reports_without_data(frame.where("gender IS NULL"))
    frame.unpersist()
    return result


def d(text: str) -> Decimal:
    return Decimal(text)


def test_trends_count_completed_transactions_only(reports):
    assert reports["monthly_trend"] == [
        (2023, 12, 1, d("20.00")),
        (2024, 1, 2, d("130.00")),
        (2024, 2, 1, d("500.00")),
    ]
    assert reports["yearly_trend"] == [(2023, 1, d("20.00")), (2024, 3, d("630.00"))]
    # Largest total first (the order of sql/reports/ops_totals.sql).
    assert reports["ops_totals"] == [
        ("transfer_in", 1, d("500.00")),
        ("cash_withdrawal", 1, d("100.00")),
        ("card_withdrawal", 1, d("30.00")),
        ("payment", 1, d("20.00")),
    ]


def test_age_gender_groups_unknown_customers_so_totals_match(reports):
    assert reports["has_customer_data"] is True
    assert reports["without_data"] == []
    assert reports["without_data_if_no_customers"] == ["trans_by_age_gender"]
    assert reports["trans_by_age_gender"] == [
        ("26-35", "F", 2, d("130.00")),
        ("66+", "M", 1, d("20.00")),
        ("unknown", "unknown", 1, d("500.00")),
    ]
    assert sum(row[3] for row in reports["trans_by_age_gender"]) == sum(
        row[2] for row in reports["yearly_trend"]
    )


def test_atm_totals_cover_completed_atm_transactions(reports):
    assert reports["atm_daily_totals"] == [
        ("ATM-1", "Wenceslas Square 1", "Prague", date(2024, 1, 5), 1, d("100.00")),
        ("ATM-2", "Old Town Square 5", "Prague", date(2024, 1, 20), 1, d("30.00")),
    ]
    assert reports["atm_hourly_totals"] == [
        ("ATM-1", "Wenceslas Square 1", "Prague", date(2024, 1, 5), 10, 1, d("100.00")),
        ("ATM-2", "Old Town Square 5", "Prague", date(2024, 1, 20), 18, 1, d("30.00")),
    ]


def test_failure_rates_use_every_atm_attempt(reports):
    # ATM-2's address text differs between rows: the greatest value is reported.
    assert reports["atm_failure_rates"] == [
        ("ATM-1", "Wenceslas Square 1", "Prague", 2, 1, d("0.500000")),
        ("ATM-2", "Old Town Square 5", "Prague", 3, 1, d("0.333333")),
    ]
    # Worst first.
    assert reports["card_type_failure_rates"] == [
        ("unknown", 1, 1, d("1.000000")),
        ("classic", 2, 1, d("0.500000")),
        ("gold", 2, 0, d("0.000000")),
    ]


# ---- fraud -----------------------------------------------------------------------------------------

PRAGUE = {
    "atm_id": "ATM-PRG-001",
    "atm_location": "Wenceslas Square 1",
    "city": "Prague",
    "latitude": 50.0813,
    "longitude": 14.4280,
}
PRAGUE_2 = {
    "atm_id": "ATM-PRG-002",
    "atm_location": "Old Town Square 5",
    "city": "Prague",
    "latitude": 50.0875,
    "longitude": 14.4213,
}
OSTRAVA = {
    "atm_id": "ATM-OST-001",
    "atm_location": "Masaryk Square 3",
    "city": "Ostrava",
    "latitude": 49.8355,
    "longitude": 18.2926,
}
BRNO = {
    "atm_id": "ATM-BRN-001",
    "atm_location": "Freedom Square 2",
    "city": "Brno",
    "latitude": 49.1951,
    "longitude": 16.6080,
}


def at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2024, 1, day, hour, minute)


FRAUD_ROWS = [
    # burst: 3 withdrawals within 10 minutes (the third is flagged), a 4th much later is not
    transaction(transaction_id="B1", card_id="C9", occurred_at=at(10, 0), **PRAGUE),
    transaction(transaction_id="B2", card_id="C9", occurred_at=at(10, 4), status="declined", **PRAGUE),
    transaction(transaction_id="B3", card_id="C9", occurred_at=at(10, 9), **PRAGUE),
    transaction(transaction_id="B4", card_id="C9", occurred_at=at(11, 0), **PRAGUE),
    # travel: Prague then Ostrava (~280 km) 20 minutes later is impossible
    transaction(transaction_id="V1", card_id="C8", occurred_at=at(10, 0), **PRAGUE),
    transaction(transaction_id="V2", card_id="C8", occurred_at=at(10, 20), **OSTRAVA),
    # two Prague ATMs 0.8 km apart within 5 minutes, and Prague -> Brno after 3 hours: fine
    transaction(transaction_id="N1", card_id="C7", occurred_at=at(10, 0), **PRAGUE),
    transaction(transaction_id="N2", card_id="C7", occurred_at=at(10, 5), **PRAGUE_2),
    transaction(transaction_id="N3", card_id="C7", occurred_at=at(13, 5), **BRNO),
    # the rules file's CZK maximum (20000.00) three times within 24 h; once is fine
    transaction(transaction_id="M1", card_id="C5", occurred_at=at(8, 0, day=6), amount="20000.00", **PRAGUE),
    transaction(transaction_id="M2", card_id="C5", occurred_at=at(14, 0, day=6), amount="20000.00", **BRNO),
    transaction(transaction_id="M3", card_id="C5", occurred_at=at(7, 0, day=7), amount="20000.00", **BRNO),
    transaction(transaction_id="M9", card_id="C4", occurred_at=at(7, 0, day=7), amount="20000.00", **BRNO),
    # not ATM / no card: never considered
    transaction(transaction_id="X1", card_id=None, occurred_at=at(10, 1), **PRAGUE),
    transaction(transaction_id="X2", card_id="C9", channel="pos", occurred_at=at(10, 2)),
]


@pytest.fixture(scope="module")
def flags(spark, contract) -> dict[tuple[str, str], str]:
    frame = transactions_frame(spark, contract, FRAUD_ROWS)
    return {(row.transaction_id, row.rule): row.detail for row in flag_transactions(frame).collect()}


def test_fraud_rules_flag_exactly_the_suspicious_transactions(flags):
    assert sorted(flags) == [
        ("B3", "withdrawal_burst"),
        ("M3", "repeated_max_amount"),
        ("V2", "impossible_travel"),
    ]


def test_fraud_details_explain_the_numbers(flags):
    assert flags[("B3", "withdrawal_burst")] == "3 ATM withdrawals by the card within 10 minutes"
    assert (
        flags[("M3", "repeated_max_amount")]
        == "3 withdrawals of the maximum amount 20000.00 CZK within 24 hours"
    )
    travel = flags[("V2", "impossible_travel")]
    assert travel.startswith("2") and "km from ATM ATM-PRG-001 in 20.0 minutes" in travel


def test_fraud_parameters_change_the_outcome(spark, contract):
    frame = transactions_frame(spark, contract, FRAUD_ROWS)
    relaxed = replace(
        DEFAULT_RULES,
        burst_count=4,
        travel_max_kmh=1000.0,
        max_withdrawal_amount_by_currency={"CZK": Decimal("5000.00")},
    )
    assert flag_transactions(frame, relaxed).count() == 0


def test_haversine_matches_a_known_distance(spark):
    # Prague (Wenceslas Square) to Brno (Freedom Square): about 185 km as the crow flies.
    frame = spark.range(1).select(
        haversine_km(
            F.lit(PRAGUE["latitude"]),
            F.lit(PRAGUE["longitude"]),
            F.lit(BRNO["latitude"]),
            F.lit(BRNO["longitude"]),
        ).alias("km")
    )
    assert 180 < frame.first().km < 190
