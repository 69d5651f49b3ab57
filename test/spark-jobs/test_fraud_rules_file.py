"""contracts/fraud-rules.json as the batch reads it (bankpipe.fraud_rules): units, checks with readable
errors, the packaged copy in the job zip, and the alert identity. No Spark: these run in a second."""

from __future__ import annotations

import copy
import hashlib
import json
import pkgutil
import zipfile
from decimal import Decimal

import pytest

from bankpipe import fraud_rules as fr
from bankpipe.package import build_zip
from fixtures.packaged_zip import run_with_only_the_zip
from fixtures.paths import REPO_ROOT

RULES_PATH = REPO_ROOT / "contracts" / "fraud-rules.json"
DOCUMENT = json.loads(RULES_PATH.read_text(encoding="utf-8"))


def load(document: object) -> fr.FraudRules:
    return fr.fraud_rules_from_text(json.dumps(document), "rules.json")


def changed(rule: str, key: str, value: object) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document["rules"][rule][key] = value
    return document


def test_the_file_is_read_with_the_units_of_its_keys():
    rules = fr.load_fraud_rules()
    burst = DOCUMENT["rules"]["withdrawal_burst"]
    travel = DOCUMENT["rules"]["impossible_travel"]
    repeated = DOCUMENT["rules"]["repeated_max_amount"]
    assert rules == fr.FraudRules(
        burst_count=burst["burstCount"],
        burst_window_seconds=burst["burstWindowSeconds"],
        travel_window_seconds=travel["travelWindowSeconds"],
        travel_min_km=travel["travelMinKm"],
        travel_max_kmh=travel["travelMaxKmh"],
        earth_radius_km=travel["earthRadiusKm"],
        max_amount_count=repeated["maxAmountCount"],
        max_amount_window_seconds=repeated["maxAmountWindowSeconds"],
        max_withdrawal_amount_by_currency={
            currency: Decimal(amount)
            for currency, amount in repeated["maxWithdrawalAmountByCurrency"].items()
        },
        out_of_order_tolerance_seconds=DOCUMENT["outOfOrderToleranceSeconds"],
    )
    assert isinstance(rules.travel_min_km, float)


def test_an_explicit_path_wins_and_a_missing_one_says_so(tmp_path):
    own = tmp_path / "rules.json"
    own.write_text(json.dumps(changed("withdrawal_burst", "burstCount", 7)))
    assert fr.load_fraud_rules(str(own)).burst_count == 7
    with pytest.raises(fr.FraudRulesError, match=r"cannot read the fraud rules file '.*nowhere\.json'"):
        fr.load_fraud_rules(str(tmp_path / "nowhere.json"))


def test_without_the_packaged_copy_or_the_checkout_it_says_how_to_fix_it(monkeypatch, tmp_path):
    monkeypatch.setattr(fr, "REPO_FRAUD_RULES_PATH", tmp_path / "missing.json")
    monkeypatch.setattr(pkgutil, "get_data", lambda *_: None)
    with pytest.raises(fr.FraudRulesError, match=r"python -m bankpipe\.package.*or run from a checkout"):
        fr.locate_fraud_rules_text()


def test_the_job_zip_carries_the_file_and_the_job_reads_it_from_there(tmp_path):
    archive = build_zip(tmp_path / "bankpipe.zip")
    with zipfile.ZipFile(archive) as zipped:
        assert zipped.read("bankpipe/fraud-rules.json").decode() == RULES_PATH.read_text(encoding="utf-8")
    # A fresh interpreter with only the zip on its path finds the packaged copy, not the checkout's.
    probe = "from bankpipe.fraud_rules import locate_fraud_rules_text; print(locate_fraud_rules_text()[1])"
    where = run_with_only_the_zip(archive, probe, tmp_path).strip()
    assert where == "bankpipe/fraud-rules.json (packaged)"


def test_the_packager_refuses_rules_the_job_cannot_apply(tmp_path):
    bad = tmp_path / "fraud-rules.json"
    bad.write_text(json.dumps(changed("withdrawal_burst", "burstCount", 0)))
    with pytest.raises(fr.FraudRulesError, match="burstCount must be 1 or more"):
        build_zip(tmp_path / "bankpipe.zip", fraud_rules_path=bad)


@pytest.mark.parametrize(
    ("rule", "key", "value", "message"),
    [
        ("withdrawal_burst", "burstCount", 0, r"burstCount must be 1 or more; it is 0"),
        ("withdrawal_burst", "burstCount", True, r"burstCount must be a whole number; it is True"),
        ("withdrawal_burst", "burstWindowSeconds", 1.5, r"burstWindowSeconds must be a whole number"),
        ("impossible_travel", "travelMinKm", 0, r"travelMinKm must be a number above 0; it is 0"),
        ("impossible_travel", "travelMaxKmh", "300", r"travelMaxKmh must be a number above 0; it is '300'"),
        ("impossible_travel", "earthRadiusKm", False, r"earthRadiusKm must be a number above 0"),
        ("repeated_max_amount", "maxAmountCount", -1, r"maxAmountCount must be 1 or more"),
        ("impossible_travel", "travelWindowSeconds", 0, r"travelWindowSeconds must be 1 or more"),
        ("repeated_max_amount", "maxAmountWindowSeconds", 0, r"maxAmountWindowSeconds must be 1 or more"),
        (
            "repeated_max_amount",
            "maxWithdrawalAmountByCurrency",
            ["CZK"],
            r"maxWithdrawalAmountByCurrency must map currency codes to amounts$",
        ),
        (
            "repeated_max_amount",
            "maxWithdrawalAmountByCurrency",
            {"czk": "1.00"},
            r"'czk' is not an ISO 4217",
        ),
        (
            "repeated_max_amount",
            "maxWithdrawalAmountByCurrency",
            {"CZK": 20000},
            r"the CZK maximum must be a positive amount as a string with exactly 2 decimals",
        ),
        (
            "repeated_max_amount",
            "maxWithdrawalAmountByCurrency",
            {"CZK": "20000.0"},
            r"the CZK maximum .* it is '20000\.0'$",
        ),
        (
            "repeated_max_amount",
            "maxWithdrawalAmountByCurrency",
            {"CZK": "0.00"},
            r"the CZK maximum must be a positive amount",
        ),
        (
            "withdrawal_burst",
            "burstCounts",
            3,
            r"rules\.withdrawal_burst: unknown keys \['burstCounts'\], missing keys \[\]; "
            r"it takes exactly \['burstCount', 'burstWindowSeconds'\] \(and a description\)$",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_key(rule, key, value, message):
    with pytest.raises(fr.FraudRulesError, match="^rules\\.json: " + message):
        load(changed(rule, key, value))


def test_smallest_accepted_values():
    document = changed("withdrawal_burst", "burstCount", 1)
    document["outOfOrderToleranceSeconds"] = 0
    document["rules"]["repeated_max_amount"]["maxWithdrawalAmountByCurrency"] = {"EUR": "0.01"}
    rules = load(document)
    assert (rules.burst_count, rules.out_of_order_tolerance_seconds) == (1, 0)
    assert rules.max_withdrawal_amount_by_currency == {"EUR": Decimal("0.01")}
    assert load(changed("impossible_travel", "travelMinKm", 5e-324)).travel_min_km == 5e-324


def test_a_file_that_is_not_rules_is_refused():
    with pytest.raises(fr.FraudRulesError, match=r"^the fraud rules file rules\.json is not valid JSON"):
        fr.fraud_rules_from_text("{", "rules.json")
    with pytest.raises(
        fr.FraudRulesError, match=r"^the fraud rules file rules\.json must hold a JSON object$"
    ):
        fr.fraud_rules_from_text("[]", "rules.json")
    with pytest.raises(fr.FraudRulesError, match=r"^rules\.json: 'rules' must be a JSON object; it is None$"):
        load({"outOfOrderToleranceSeconds": 0})
    missing = copy.deepcopy(DOCUMENT)
    del missing["rules"]["impossible_travel"]["earthRadiusKm"]
    with pytest.raises(
        fr.FraudRulesError,
        match=r"^rules\.json: rules\.impossible_travel: unknown keys \[\], missing keys \['earthRadiusKm'\]",
    ):
        load(missing)
    extra = copy.deepcopy(DOCUMENT)
    extra["rules"]["night_owl"] = {}
    with pytest.raises(
        fr.FraudRulesError,
        match=(
            r"^rules\.json: rules \['night_owl'\] are not implemented \(known: \['withdrawal_burst', "
            r"'impossible_travel', 'repeated_max_amount'\]\); implement them in bankpipe/fraud\.py and "
            r"lambda/live-alerts/fraud-rules before listing them$"
        ),
    ):
        load(extra)
    fractional = copy.deepcopy(DOCUMENT)
    fractional["outOfOrderToleranceSeconds"] = "60"
    with pytest.raises(fr.FraudRulesError, match=r"^rules\.json: outOfOrderToleranceSeconds must be a whole"):
        load(fractional)
    with pytest.raises(fr.FraudRulesError, match=r"^the fraud rules file <text> is not valid JSON"):
        fr.fraud_rules_from_text("{")
    negative = copy.deepcopy(DOCUMENT)
    negative["outOfOrderToleranceSeconds"] = -1
    with pytest.raises(
        fr.FraudRulesError, match=r"^rules\.json: outOfOrderToleranceSeconds must be 0 or more; it is -1$"
    ):
        load(negative)


@pytest.mark.parametrize("rule", ["withdrawal_burst", "impossible_travel", "repeated_max_amount"])
@pytest.mark.parametrize(
    ("key", "where"), [("burstCount", "withdrawal_burst"), ("travelMinKm", "impossible_travel")]
)
def test_each_section_is_checked_naming_the_file(rule, key, where):
    document = copy.deepcopy(DOCUMENT)
    document["rules"][rule] = None
    with pytest.raises(
        fr.FraudRulesError, match=f"^rules\\.json: '{rule}' must be a JSON object; it is None$"
    ):
        load(document)
    document = changed(where, key, 0)
    document["rules"][rule]["extra"] = 1
    with pytest.raises(
        fr.FraudRulesError, match=f"^rules\\.json: rules\\.{rule}: unknown keys \\['extra'\\]"
    ):
        load(document)


def test_an_unreadable_explicit_file_is_named(tmp_path):
    bad = tmp_path / "rules.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(fr.FraudRulesError, match=f"^the fraud rules file {bad} is not valid JSON"):
        fr.load_fraud_rules(str(bad))
    bad.write_text(json.dumps(changed("withdrawal_burst", "burstCount", 0)), encoding="utf-8")
    with pytest.raises(fr.FraudRulesError, match=f"^{bad}: burstCount must be 1 or more"):
        fr.load_fraud_rules(str(bad))


def test_the_packaged_copy_comes_before_the_checkout(monkeypatch):
    packaged = changed("withdrawal_burst", "burstCount", 9)
    asked: list[tuple[str, str]] = []

    def get_data(package: str, resource: str) -> bytes:
        asked.append((package, resource))
        return json.dumps(packaged).encode("utf-8")

    monkeypatch.setattr(pkgutil, "get_data", get_data)
    text, source = fr.locate_fraud_rules_text()
    assert (json.loads(text), source) == (packaged, "bankpipe/fraud-rules.json (packaged)")
    assert asked == [("bankpipe", "fraud-rules.json")]
    assert fr.load_fraud_rules().burst_count == 9


def test_an_unreadable_package_falls_back_to_the_checkout(monkeypatch):
    def get_data(package: str, resource: str) -> bytes:
        raise OSError("no such resource")

    monkeypatch.setattr(pkgutil, "get_data", get_data)
    text, source = fr.locate_fraud_rules_text()
    assert (json.loads(text), source) == (DOCUMENT, str(fr.REPO_FRAUD_RULES_PATH))


def test_each_rule_has_its_window():
    rules = fr.load_fraud_rules()
    assert [rules.window_seconds(rule) for rule in fr.RULE_NAMES] == [
        rules.burst_window_seconds,
        rules.travel_window_seconds,
        rules.max_amount_window_seconds,
    ]
    with pytest.raises(fr.FraudRulesError, match="unknown fraud rule 'night_owl'"):
        rules.window_seconds("night_owl")


def test_duration_text():
    assert [fr.duration_text(s) for s in (86400, 3600, 7200, 600, 60, 61, 1, 2)] == [
        "24 hours",
        "1 hour",
        "2 hours",
        "10 minutes",
        "1 minute",
        "61 seconds",
        "1 second",
        "2 seconds",
    ]


def test_alert_identity_is_the_hash_of_rule_card_and_window():
    rules = fr.load_fraud_rules()
    end = 1_704_448_800
    keys = fr.alert_keys_of([("withdrawal_burst", "C1", end), ("withdrawal_burst", "C1", end)], rules)
    assert keys == {fr.AlertKey("withdrawal_burst", "C1", end - rules.burst_window_seconds, end)}
    text = f"withdrawal_burst|C1|{end - rules.burst_window_seconds}|{end}"
    assert fr.alert_id(next(iter(keys))) == hashlib.sha256(text.encode()).hexdigest()
    travel = fr.alert_keys_of([("impossible_travel", "C1", end)], rules)
    assert travel == {fr.AlertKey("impossible_travel", "C1", end - rules.travel_window_seconds, end)}
