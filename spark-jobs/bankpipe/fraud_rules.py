"""The fraud rules file (contracts/fraud-rules.json) and the alert identity, without Spark.

The batch rules (``bankpipe.fraud``) and the packager (``bankpipe.package``, which must run with the
standard library only) both read the file through this module. The live consumer reads the same file
in lambda/live-alerts/fraud-rules. Nothing here copies a value from the file.

Lookup (``locate_fraud_rules_text``), first match wins, as for the transaction contract: an explicit
path; ``bankpipe/fraud-rules.json`` packaged inside the job zip by ``bankpipe.package`` (read with
``pkgutil.get_data``, which works inside zips); ``<repo>/contracts/fraud-rules.json`` next to a
source checkout.

Alert identity (the file's ``alertIdentity``): a flagged transaction's window ends at its event second
(``occurred_at`` in whole seconds, rounded down) and starts the rule's window seconds earlier; the alert
id is the SHA-256 of ``rule|card_id|window start|window end``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from bankpipe.packaged_files import named_file_text, packaged_or_checkout_text

FRAUD_RULES_RESOURCE = "fraud-rules.json"
REPO_FRAUD_RULES_PATH = Path(__file__).resolve().parents[2] / "contracts" / FRAUD_RULES_RESOURCE

WITHDRAWAL_BURST = "withdrawal_burst"
IMPOSSIBLE_TRAVEL = "impossible_travel"
REPEATED_MAX_AMOUNT = "repeated_max_amount"
RULE_NAMES = (WITHDRAWAL_BURST, IMPOSSIBLE_TRAVEL, REPEATED_MAX_AMOUNT)
WITHDRAWAL_OPERATIONS = ("cash_withdrawal", "card_withdrawal")

_AMOUNT_PATTERN = re.compile(r"^(0|[1-9]\d{0,15})\.\d{2}$")
_CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")


class FraudRulesError(ValueError):
    """The fraud rules file is missing, unreadable or has a value the rules cannot use."""


@dataclass(frozen=True)
class FraudRules:
    """The parameters of contracts/fraud-rules.json, in its units (seconds, km, km/h, decimal money)."""

    burst_count: int
    burst_window_seconds: int
    travel_window_seconds: int
    travel_min_km: float
    travel_max_kmh: float
    earth_radius_km: float
    max_amount_count: int
    max_amount_window_seconds: int
    max_withdrawal_amount_by_currency: Mapping[str, Decimal]
    out_of_order_tolerance_seconds: int

    def window_seconds(self, rule: str) -> int:
        """The look-back window of a rule: the length of its alerts' windows."""
        windows = {
            WITHDRAWAL_BURST: self.burst_window_seconds,
            IMPOSSIBLE_TRAVEL: self.travel_window_seconds,
            REPEATED_MAX_AMOUNT: self.max_amount_window_seconds,
        }
        if rule not in windows:
            raise FraudRulesError(f"unknown fraud rule {rule!r}; the rules are {list(RULE_NAMES)}")
        return windows[rule]


# --- the rules file ---------------------------------------------------------------------------------


def locate_fraud_rules_text(explicit_path: str | None = None) -> tuple[str, str]:
    """Return (rules JSON text, where it came from) following the lookup order in the module doc."""
    if explicit_path:
        return named_file_text(explicit_path, "fraud rules file", FraudRulesError)
    found = packaged_or_checkout_text(FRAUD_RULES_RESOURCE, REPO_FRAUD_RULES_PATH)
    if found is not None:
        return found
    raise FraudRulesError(
        f"no fraud rules found: build the job zip with `python -m bankpipe.package` so that "
        f"bankpipe/{FRAUD_RULES_RESOURCE} is packaged, "
        f"or run from a checkout that has {REPO_FRAUD_RULES_PATH}"
    )


def load_fraud_rules(explicit_path: str | None = None) -> FraudRules:
    text, source = locate_fraud_rules_text(explicit_path)
    return fraud_rules_from_text(text, source)


def fraud_rules_from_text(text: str, source: str = "<text>") -> FraudRules:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FraudRulesError(f"the fraud rules file {source} is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise FraudRulesError(f"the fraud rules file {source} must hold a JSON object")
    rules = _section(document, "rules", source)
    burst = _section(rules, WITHDRAWAL_BURST, source)
    travel = _section(rules, IMPOSSIBLE_TRAVEL, source)
    repeated = _section(rules, REPEATED_MAX_AMOUNT, source)
    unknown_rules = sorted(set(rules) - set(RULE_NAMES))
    if unknown_rules:
        raise FraudRulesError(
            f"{source}: rules {unknown_rules} are not implemented (known: {list(RULE_NAMES)}); "
            "implement them in bankpipe/fraud.py and lambda/live-alerts/fraud-rules before listing them"
        )
    _only_keys(burst, {"burstCount", "burstWindowSeconds"}, f"{source}: rules.{WITHDRAWAL_BURST}")
    _only_keys(
        travel,
        {"travelWindowSeconds", "travelMinKm", "travelMaxKmh", "earthRadiusKm"},
        f"{source}: rules.{IMPOSSIBLE_TRAVEL}",
    )
    _only_keys(
        repeated,
        {"maxAmountCount", "maxAmountWindowSeconds", "maxWithdrawalAmountByCurrency"},
        f"{source}: rules.{REPEATED_MAX_AMOUNT}",
    )
    return FraudRules(
        burst_count=_positive_int(burst, "burstCount", source),
        burst_window_seconds=_positive_int(burst, "burstWindowSeconds", source),
        travel_window_seconds=_positive_int(travel, "travelWindowSeconds", source),
        travel_min_km=_positive_number(travel, "travelMinKm", source),
        travel_max_kmh=_positive_number(travel, "travelMaxKmh", source),
        earth_radius_km=_positive_number(travel, "earthRadiusKm", source),
        max_amount_count=_positive_int(repeated, "maxAmountCount", source),
        max_amount_window_seconds=_positive_int(repeated, "maxAmountWindowSeconds", source),
        max_withdrawal_amount_by_currency=_maxima(repeated, source),
        out_of_order_tolerance_seconds=_non_negative_int(document, "outOfOrderToleranceSeconds", source),
    )


def _section(node: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = node.get(key)
    if not isinstance(value, dict):
        raise FraudRulesError(f"{source}: {key!r} must be a JSON object; it is {value!r}")
    return value


def _only_keys(node: Mapping[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(node) - keys - {"description"})
    missing = sorted(keys - set(node))
    if unknown or missing:
        raise FraudRulesError(
            f"{where}: unknown keys {unknown}, missing keys {missing}; it takes exactly {sorted(keys)}"
            " (and a description)"
        )


def _integer(node: Mapping[str, Any], key: str, source: str) -> int:
    value = node.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FraudRulesError(f"{source}: {key} must be a whole number; it is {value!r}")
    return value


def _positive_int(node: Mapping[str, Any], key: str, source: str) -> int:
    value = _integer(node, key, source)
    if value < 1:
        raise FraudRulesError(f"{source}: {key} must be 1 or more; it is {value}")
    return value


def _non_negative_int(node: Mapping[str, Any], key: str, source: str) -> int:
    value = _integer(node, key, source)
    if value < 0:
        raise FraudRulesError(f"{source}: {key} must be 0 or more; it is {value}")
    return value


def _positive_number(node: Mapping[str, Any], key: str, source: str) -> float:
    value = node.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise FraudRulesError(f"{source}: {key} must be a number above 0; it is {value!r}")
    return float(value)


def _maxima(node: Mapping[str, Any], source: str) -> Mapping[str, Decimal]:
    maxima = node.get("maxWithdrawalAmountByCurrency")
    if not isinstance(maxima, dict):
        raise FraudRulesError(f"{source}: maxWithdrawalAmountByCurrency must map currency codes to amounts")
    for currency, amount in maxima.items():
        if not _CURRENCY_PATTERN.match(currency):
            raise FraudRulesError(f"{source}: {currency!r} is not an ISO 4217 code like 'CZK'")
        if not isinstance(amount, str) or not _AMOUNT_PATTERN.match(amount) or Decimal(amount) == 0:
            raise FraudRulesError(
                f"{source}: the {currency} maximum must be a positive amount as a string with exactly 2 "
                f'decimals, e.g. "20000.00"; it is {amount!r}'
            )
    return {currency: Decimal(amount) for currency, amount in maxima.items()}


def duration_text(seconds: int) -> str:
    """A window length as the details say it: whole hours, else whole minutes, else seconds."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            return _plural(seconds // size, unit)
    return _plural(seconds, "second")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


# --- alert identity ---------------------------------------------------------------------------------


class AlertKey(NamedTuple):
    """What makes two alerts the same: the rule, the card and the window (epoch seconds, both ends)."""

    rule: str
    card_id: str
    window_start_epoch_seconds: int
    window_end_epoch_seconds: int


def alert_id(key: AlertKey) -> str:
    """The deterministic alert id of the rules file's ``alertIdentity``, as the live consumer computes it."""
    text = f"{key.rule}|{key.card_id}|{key.window_start_epoch_seconds}|{key.window_end_epoch_seconds}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def alert_keys_of(flagged: Iterable[tuple[str, str, int]], rules: FraudRules) -> set[AlertKey]:
    """Alert keys of (rule, card_id, event second of the flagged transaction) triples."""
    return {AlertKey(rule, card_id, end - rules.window_seconds(rule), end) for rule, card_id, end in flagged}
