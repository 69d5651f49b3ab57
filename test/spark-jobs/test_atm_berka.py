"""The ATM job on real bank data: the Berka (PKDD'99) sample in test/fixtures/berka converted to contract
JSON lines.

Mapping from trans.asc to the contract (done here, in plain Python):

- transaction_id ``berka-<trans_id>``, account_id as text, currency CZK, status completed;
- occurred_at: the YYMMDD date at 00:00:00Z (Berka has no time of day);
- type: PRIJEM -> credit, VYDAJ -> debit, VYBER (cash withdrawal) -> debit;
- operation: VYBER KARTOU -> card_withdrawal, VKLAD -> cash_deposit, PREVOD Z UCTU -> transfer_in,
  VYBER -> cash_withdrawal, PREVOD NA UCET -> transfer_out; an empty operation is interest when
  k_symbol is UROK, a fee when it is SLUZBY or SANKC. UROK, else interest for credits and fee for
  debits;
- channel: the contract's 'atm' needs an ATM id, address and coordinates, which Berka does not have
  and which would have to be invented. Card withdrawals therefore become channel 'pos' (a card was
  used, no ATM identity is known) and everything else 'branch'. The ATM reports stay empty for Berka;
  the trend reports and trans_by_age_gender are checked against plain Python;
- amount and balance_after are kept as the decimal strings of the file; k_symbol -> purpose,
  bank/account -> counterparty_bank/counterparty_account when present.

Customers: client.asc + disp.asc, OWNER rows only; birth_number YYMMDD with MM > 50 for women
(subtract 50), years 19YY.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bankpipe.job import JobConfig, run
from fixtures.outputs import read_manifest, read_report

pytestmark = pytest.mark.berka

TYPES = {"PRIJEM": "credit", "VYDAJ": "debit", "VYBER": "debit"}
OPERATIONS = {
    "VYBER KARTOU": "card_withdrawal",
    "VKLAD": "cash_deposit",
    "PREVOD Z UCTU": "transfer_in",
    "VYBER": "cash_withdrawal",
    "PREVOD NA UCET": "transfer_out",
}
FEE_SYMBOLS = {"SLUZBY", "SANKC. UROK"}
BANDS = ((17, "0-17"), (25, "18-25"), (35, "26-35"), (45, "36-45"), (55, "46-55"), (65, "56-65"))


def read_asc(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";", quotechar='"'))


def berka_date(yymmdd: str) -> date:
    return date(1900 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))


def to_contract(row: dict[str, str]) -> dict[str, str]:
    kind = TYPES[row["type"]]
    symbol = row["k_symbol"].strip()
    operation = OPERATIONS.get(row["operation"].strip())
    if operation is None:
        if symbol == "UROK":
            operation = "interest"
        elif symbol in FEE_SYMBOLS:
            operation = "fee"
        else:
            operation = "interest" if kind == "credit" else "fee"
    document = {
        "transaction_id": f"berka-{row['trans_id']}",
        "account_id": row["account_id"],
        "occurred_at": f"{berka_date(row['date']).isoformat()}T00:00:00Z",
        "type": kind,
        "operation": operation,
        "amount": f"{Decimal(row['amount']):.2f}",
        "currency": "CZK",
        "balance_after": f"{Decimal(row['balance']):.2f}",
        "channel": "pos" if operation == "card_withdrawal" else "branch",
        "status": "completed",
    }
    if symbol:
        document["purpose"] = symbol
    if row["bank"].strip():
        document["counterparty_bank"] = row["bank"].strip()
    if row["account"].strip():
        document["counterparty_account"] = row["account"].strip()
    return document


def owners(berka_dir: Path) -> dict[str, tuple[date, str]]:
    """account_id -> (birth date, gender) of the account's OWNER."""
    clients = {}
    for client in read_asc(berka_dir / "client.asc"):
        number = client["birth_number"]
        month = int(number[2:4])
        gender = "F" if month > 50 else "M"
        born = date(1900 + int(number[:2]), month - 50 if month > 50 else month, int(number[4:6]))
        clients[client["client_id"]] = (born, gender)
    return {
        disp["account_id"]: clients[disp["client_id"]]
        for disp in read_asc(berka_dir / "disp.asc")
        if disp["type"] == "OWNER"
    }


def band(on: date, born: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next((label for upper, label in BANDS if age <= upper), "66+")


@pytest.fixture(scope="module")
def berka_run(tmp_path_factory, spark, berka_dir):
    base = tmp_path_factory.mktemp("berka")
    transactions = read_asc(berka_dir / "trans.asc")
    documents = [to_contract(row) for row in transactions]
    raw = base / "raw" / "trans.jsonl"
    raw.parent.mkdir()
    raw.write_text("".join(json.dumps(document) + "\n" for document in documents))
    customers_of = owners(berka_dir)
    customers = base / "customers.jsonl"
    customers.write_text(
        "".join(
            json.dumps({"account_id": account, "birth_date": born.isoformat(), "gender": gender}) + "\n"
            for account, (born, gender) in sorted(customers_of.items())
        )
    )
    config = JobConfig(
        input_uris=[str(raw)],
        output=str(base / "processed"),
        quarantine=str(base / "quarantine"),
        run_id="berka-1",
        customers=str(customers),
        now=datetime(2000, 1, 1, tzinfo=UTC),
    )
    run(spark, config)
    return {"base": base, "transactions": transactions, "owners": customers_of}


def totals(keyed_amounts) -> dict[tuple, tuple[int, Decimal]]:
    sums: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for key, amount in keyed_amounts:
        sums[key][0] += 1
        sums[key][1] += amount
    return {key: (count, total) for key, (count, total) in sums.items()}


def report(base: Path, name: str, keys: tuple[str, ...]) -> dict[tuple, tuple[int, Decimal]]:
    return {tuple(r[k] for k in keys): (r["txn_count"], r["total_amount"]) for r in read_report(base, name)}


def test_every_berka_row_is_valid_and_stored(berka_run):
    counts = read_manifest(berka_run["base"] / "processed", "berka-1")["counts"]
    assert counts["read"] == len(berka_run["transactions"]) == 338  # data rows of the fixture
    assert counts["valid"] == counts["read"] == counts["written"]["transactions"]
    assert counts["quarantined"] == counts["duplicates"] == 0


def test_monthly_and_yearly_trends_match_plain_python(berka_run):
    rows = [(berka_date(row["date"]), Decimal(row["amount"])) for row in berka_run["transactions"]]
    processed = berka_run["base"] / "processed"
    assert report(processed, "monthly_trend", ("year", "month")) == totals(
        ((d.year, d.month), a) for d, a in rows
    )
    assert report(processed, "yearly_trend", ("year",)) == totals(((d.year,), a) for d, a in rows)
    assert report(processed, "yearly_trend", ("year",)) == {
        (1993,): (len([d for d, _ in rows if d.year == 1993]), sum(a for d, a in rows if d.year == 1993)),
        (1994,): (len([d for d, _ in rows if d.year == 1994]), sum(a for d, a in rows if d.year == 1994)),
    }


def test_age_gender_report_matches_client_and_disp(berka_run):
    owners_of = berka_run["owners"]

    def key(row: dict[str, str]) -> tuple[str, str]:
        if row["account_id"] not in owners_of:
            return ("unknown", "unknown")
        born, gender = owners_of[row["account_id"]]
        return (band(berka_date(row["date"]), born), gender)

    expected = totals((key(row), Decimal(row["amount"])) for row in berka_run["transactions"])
    found = report(berka_run["base"] / "processed", "trans_by_age_gender", ("age_band", "gender"))
    assert found == expected
    assert {gender for _, gender in found} == {"F", "M"}
