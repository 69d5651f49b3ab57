"""The transaction contract: find the JSON Schema file, load it and derive validation rules.

contracts/transaction.schema.json is the single source of truth. Nothing here copies its enums,
required lists or patterns: they are read from the file and turned into plain dataclasses that
``validation`` converts to Spark column expressions.

Schema file lookup (``locate_schema_text``), first match wins:

1. an explicit path or URI (``--schema``); URIs with a scheme other than file:// are read by the
   caller through Spark/Hadoop (see ``storage.read_text``), plain paths are opened here;
2. ``bankpipe/transaction.schema.json`` packaged inside the bankpipe package. On EMR the package
   travels as a zip (``--py-files``), so it is read with ``pkgutil.get_data``, which works inside
   zips too. ``python -m bankpipe.package`` writes the file into the zip at build time;
3. ``<repo>/contracts/transaction.schema.json`` next to a source checkout.

Only the JSON Schema keywords the job can enforce are accepted. An unknown validation keyword
raises ``ContractError`` so that a contract change the job cannot honour fails the run loudly
instead of being silently ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bankpipe.packaged_files import named_file_text, packaged_or_checkout_text

SCHEMA_RESOURCE = "transaction.schema.json"
REPO_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "contracts" / SCHEMA_RESOURCE

# Money is stored as a fixed-point decimal: 16 integer digits and 2 decimals, which is exactly what the
# contract's string pattern for amounts allows.
MONEY_TYPE = "decimal(18,2)"

# Keywords that only annotate a schema node; they never make a value invalid.
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default", "deprecated", "$id"})
_SUPPORTED_FORMATS = frozenset({"date-time"})
# On occurred_at: how many minutes after processing an event time may be (log servers' clock skew).
# The job quarantines later ones; the live consumer (lambda/live-alerts) reads the same key.
MAX_FUTURE_MINUTES_KEYWORD = "x-maxFutureMinutes"
TIMESTAMP_PROPERTY = "occurred_at"
JSON_KINDS = ("string", "number", "integer", "boolean", "null", "object", "array")


class ContractError(ValueError):
    """The schema file is missing, unreadable or uses a keyword the job cannot enforce."""


@dataclass(frozen=True)
class Alternative:
    """One accepted shape of a property value: a JSON kind plus the constraints for that kind."""

    kind: str
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    exclusive_minimum: Decimal | None = None
    exclusive_maximum: Decimal | None = None
    multiple_of: Decimal | None = None
    format: str | None = None


@dataclass(frozen=True)
class PropertyRule:
    """Rules for one top-level property: the value must match one (oneOf) or any of the alternatives."""

    name: str
    alternatives: tuple[Alternative, ...]
    exactly_one: bool = False

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(alt.kind for alt in self.alternatives)

    @property
    def is_enum_only(self) -> bool:
        return all(alt.enum is not None for alt in self.alternatives)

    @property
    def storage_type(self) -> str:
        """Spark SQL type of the column this property is stored in."""
        kinds = self.kinds - {"null"}
        if kinds == {"string"}:
            if any(alt.format == "date-time" for alt in self.alternatives):
                return "timestamp"
            return "string"
        if kinds == {"number", "string"}:
            # A number that may also arrive as a numeric string: money in this contract.
            return MONEY_TYPE
        if kinds == {"number"}:
            return "double"
        if kinds == {"integer"}:
            return "bigint"
        if kinds == {"boolean"}:
            return "boolean"
        # Objects, arrays and other mixtures are kept as their JSON text.
        return "string"


@dataclass(frozen=True)
class ConditionalRequirement:
    """If every condition holds (the field equals one of the values), the ``required`` fields must exist."""

    conditions: tuple[tuple[str, tuple[str, ...]], ...]
    required: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    """Validation rules derived from the transaction JSON Schema."""

    source: str
    required: tuple[str, ...]
    properties: tuple[PropertyRule, ...]
    conditionals: tuple[ConditionalRequirement, ...]
    additional_properties: bool
    # occurred_at may be at most this many minutes after the job's now (x-maxFutureMinutes); None when
    # the schema does not say (the job then needs --max-future-minutes).
    max_future_minutes: int | None

    @property
    def property_names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.properties)

    def future_limit_minutes(self, override: int | None = None) -> int:
        """The future-timestamp limit a run applies: the override when given, else the contract's."""
        if override is not None:
            return override
        if self.max_future_minutes is None:
            raise ContractError(
                f"the contract {self.source} gives occurred_at no {MAX_FUTURE_MINUTES_KEYWORD}: add it there "
                "(minutes an event time may be ahead of processing), or pass --max-future-minutes"
            )
        return self.max_future_minutes

    def rule(self, name: str) -> PropertyRule:
        for rule in self.properties:
            if rule.name == name:
                return rule
        raise ContractError(f"the contract {self.source} has no property {name!r}; the job needs it")

    def enum_values(self, name: str) -> tuple[str, ...]:
        values: list[str] = []
        for alt in self.rule(name).alternatives:
            values.extend(alt.enum or ())
        if not values:
            raise ContractError(f"property {name!r} of {self.source} is not an enum; the job expects one")
        return tuple(values)

    def require_enum_values(self, name: str, values: Iterable[str]) -> tuple[str, ...]:
        """Business rules name some enum values (e.g. status 'declined'); fail if the contract lost one."""
        wanted = tuple(values)
        known = set(self.enum_values(name))
        missing = [value for value in wanted if value not in known]
        if missing:
            raise ContractError(
                f"the job relies on {name} values {missing} which the contract {self.source} no longer "
                f"lists (it has {sorted(known)}); update the job's business rules together with the contract"
            )
        return wanted


def locate_schema_text(explicit_path: str | None = None) -> tuple[str, str]:
    """Return (schema JSON text, where it came from) following the lookup order in the module doc."""
    if explicit_path:
        return named_file_text(explicit_path, "schema file", ContractError)
    found = packaged_or_checkout_text(SCHEMA_RESOURCE, REPO_SCHEMA_PATH)
    if found is not None:
        return found
    raise ContractError(
        f"no transaction schema found: pass --schema PATH, or build the job zip with "
        f"`python -m bankpipe.package` so that bankpipe/{SCHEMA_RESOURCE} is packaged, "
        f"or run from a checkout that has {REPO_SCHEMA_PATH}"
    )


def load_contract(explicit_path: str | None = None) -> Contract:
    text, source = locate_schema_text(explicit_path)
    return contract_from_text(text, source)


def contract_from_text(text: str, source: str = "<text>") -> Contract:
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContractError(f"the schema {source} is not valid JSON: {error}") from error
    return contract_from_schema(schema, source)


def contract_from_schema(schema: Mapping[str, Any], source: str = "<schema>") -> Contract:
    if schema.get("type") != "object":
        raise ContractError(f"the schema {source} must describe an object (type: object)")
    _reject_unknown(
        schema,
        {"$schema", "type", "required", "properties", "allOf", "additionalProperties"} | _ANNOTATIONS,
        f"{source} (top level)",
    )
    properties_node = schema.get("properties", {})
    max_future_minutes = _max_future_minutes(properties_node, source)
    properties = tuple(
        _property_rule(name, _without_keyword(node, MAX_FUTURE_MINUTES_KEYWORD), source)
        if name == TIMESTAMP_PROPERTY
        else _property_rule(name, node, source)
        for name, node in properties_node.items()
    )
    required = tuple(schema.get("required", ()))
    unknown_required = [name for name in required if name not in properties_node]
    if unknown_required:
        raise ContractError(f"{source}: required fields {unknown_required} have no property definition")
    conditionals = tuple(_conditional(node, source) for node in schema.get("allOf", ()))
    additional = schema.get("additionalProperties", True)
    if not isinstance(additional, bool):
        raise ContractError(f"{source}: additionalProperties must be true or false for this job")
    return Contract(
        source=source,
        required=required,
        properties=properties,
        conditionals=conditionals,
        additional_properties=additional,
        max_future_minutes=max_future_minutes,
    )


def _max_future_minutes(properties: Mapping[str, Any], source: str) -> int | None:
    node = properties.get(TIMESTAMP_PROPERTY, {})
    if MAX_FUTURE_MINUTES_KEYWORD not in node:
        return None
    value = node[MAX_FUTURE_MINUTES_KEYWORD]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ContractError(
            f"{source}: {MAX_FUTURE_MINUTES_KEYWORD} of property {TIMESTAMP_PROPERTY!r} must be a whole "
            f"number of minutes >= 0 (how far after processing an event time may be); it is {value!r}"
        )
    return value


def _without_keyword(node: Mapping[str, Any], keyword: str) -> dict[str, Any]:
    return {key: value for key, value in node.items() if key != keyword}


def _reject_unknown(node: Mapping[str, Any], allowed: set[str] | frozenset[str], where: str) -> None:
    unknown = sorted(set(node) - set(allowed))
    if unknown:
        raise ContractError(
            f"{where} uses JSON Schema keywords {unknown} that the ATM job cannot enforce; "
            f"extend bankpipe/contract.py and bankpipe/validation.py before changing the contract"
        )


_VALUE_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "format",
        "oneOf",
        "anyOf",
    }
)


def _property_rule(name: str, node: Mapping[str, Any], source: str) -> PropertyRule:
    where = f"{source}: property {name!r}"
    _reject_unknown(node, _VALUE_KEYWORDS | _ANNOTATIONS, where)
    if "oneOf" in node or "anyOf" in node:
        keyword = "oneOf" if "oneOf" in node else "anyOf"
        if set(node) & (_VALUE_KEYWORDS - {keyword}):
            raise ContractError(f"{where}: combine {keyword} with other keywords inside the branches instead")
        alternatives: list[Alternative] = []
        for branch in node[keyword]:
            _reject_unknown(branch, _VALUE_KEYWORDS - {"oneOf", "anyOf"} | _ANNOTATIONS, where)
            alternatives.extend(_alternatives(branch, where))
        return PropertyRule(name, tuple(alternatives), exactly_one=keyword == "oneOf")
    return PropertyRule(name, tuple(_alternatives(node, where)))


def _alternatives(node: Mapping[str, Any], where: str) -> list[Alternative]:
    enum = _enum_of(node, where)
    fmt = node.get("format")
    if fmt is not None and fmt not in _SUPPORTED_FORMATS:
        raise ContractError(f"{where}: format {fmt!r} is not supported (only {sorted(_SUPPORTED_FORMATS)})")
    if "type" in node:
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    elif enum is not None:
        types = ["string"]
    else:
        raise ContractError(f"{where}: give every property a type or an enum")
    unknown_types = [kind for kind in types if kind not in JSON_KINDS]
    if unknown_types:
        raise ContractError(f"{where}: unknown JSON types {unknown_types}")
    alternatives = []
    for kind in types:
        if kind == "string":
            alternatives.append(
                Alternative(
                    kind="string",
                    enum=enum,
                    pattern=node.get("pattern"),
                    min_length=node.get("minLength"),
                    max_length=node.get("maxLength"),
                    format=fmt,
                )
            )
        elif kind in ("number", "integer"):
            alternatives.append(
                Alternative(
                    kind=kind,
                    minimum=_decimal(node.get("minimum")),
                    maximum=_decimal(node.get("maximum")),
                    exclusive_minimum=_decimal(node.get("exclusiveMinimum")),
                    exclusive_maximum=_decimal(node.get("exclusiveMaximum")),
                    multiple_of=_decimal(node.get("multipleOf")),
                )
            )
        else:
            alternatives.append(Alternative(kind=kind))
    return alternatives


def _enum_of(node: Mapping[str, Any], where: str) -> tuple[str, ...] | None:
    if "const" in node:
        values = [node["const"]]
    elif "enum" in node:
        values = list(node["enum"])
    else:
        return None
    if not all(isinstance(value, str) for value in values):
        raise ContractError(f"{where}: only string enums/consts are supported, got {values}")
    return tuple(values)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _conditional(node: Mapping[str, Any], source: str) -> ConditionalRequirement:
    where = f"{source}: allOf entry"
    _reject_unknown(node, {"if", "then"} | _ANNOTATIONS, where)
    condition, then = node.get("if"), node.get("then")
    if not isinstance(condition, Mapping) or not isinstance(then, Mapping):
        raise ContractError(f"{where}: only if/then conditional requirements are supported")
    _reject_unknown(condition, {"properties", "required"} | _ANNOTATIONS, f"{where} (if)")
    _reject_unknown(then, {"required"} | _ANNOTATIONS, f"{where} (then)")
    conditions = []
    for field, field_node in condition.get("properties", {}).items():
        _reject_unknown(field_node, {"const", "enum"} | _ANNOTATIONS, f"{where} (if.{field})")
        values = _enum_of(field_node, f"{where} (if.{field})")
        if values is None:
            raise ContractError(f"{where}: if.{field} must be a const or an enum")
        conditions.append((field, values))
    if not conditions:
        raise ContractError(f"{where}: the if branch must test at least one property value")
    return ConditionalRequirement(conditions=tuple(conditions), required=tuple(then.get("required", ())))
