"""Contract validation as Spark column expressions (no Python UDF: this runs on every row).

``validate`` adds a ``reason`` column (null for a valid row) and one typed column per contract
property. Only the first problem of a row is reported, in this order:

1. ``malformed_json`` / ``not_an_object``
2. ``missing_field:<f>`` for the top-level ``required`` list (in the contract's order)
3. per property, in the contract's property order, when the field is present:
   ``null_value:<f>`` (JSON null where null is not allowed), ``invalid_type:<f>``,
   ``invalid_enum:<f>``, ``too_short:<f>`` / ``too_long:<f>``, ``pattern_mismatch:<f>``,
   ``invalid_timestamp:<f>`` (format date-time: matches the pattern but is no real instant),
   ``below_minimum:<f>`` / ``above_maximum:<f>``, ``not_multiple_of:<f>`` (e.g. amount with 3 decimals),
   ``ambiguous_one_of:<f>``, ``out_of_range:<f>`` (valid JSON but does not fit the stored type,
   e.g. a money value beyond decimal(18,2))
4. ``missing_field:<f>`` for conditional requirements (``channel = atm`` needs the ATM fields)
5. ``unexpected_field:<f>`` when the contract sets additionalProperties false
6. ``future_timestamp:occurred_at`` when occurred_at is later than now + max_future_minutes

Notes on fidelity to JSON Schema:
- numbers are checked exactly as decimals (multipleOf 0.01 means "at most 2 decimals");
  JSON numbers are re-serialised by Jackson through a double, so a numeric amount with more than
  15 significant digits may be rounded: producers should send such amounts as strings;
- timestamps keep microseconds (digits 7-9 of a fraction are truncated, as Spark stores micros);
- patterns are applied with Java regexes (find semantics, like JSON Schema's ``pattern``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F  # noqa: N812 (Spark convention)

from bankpipe.contract import Alternative, Contract, PropertyRule
from bankpipe.parse import JSON_ERROR, JSON_KEYS, is_present, json_kind, json_value, string_content

REASON = "reason"
TIMESTAMP_FIELD = "occurred_at"
_CHECK_DECIMAL = "decimal(38,18)"
_KIND_PREFIX = "__kind__"


_TEXT_PREFIX = "__text__"


def _kind(name: str) -> Column:
    # Kinds and texts are materialised as columns first: every check refers to them, and Spark does
    # not inline a non-trivial expression referenced many times, so each is computed once per row and
    # the generated code stays small.
    return F.col(_KIND_PREFIX + name)


def _text(name: str) -> Column:
    """String content for JSON strings, the JSON text for other values, null when absent or null."""
    return F.col(_TEXT_PREFIX + name)


def _string(name: str) -> Column:
    return F.when(_kind(name) == "string", _text(name))


def validate(parsed: DataFrame, contract: Contract, now: datetime, max_future_minutes: int) -> DataFrame:
    """Add ``reason`` and the typed contract columns to the output of ``parse.parse_json_lines``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC) so the future-timestamp check is unambiguous")
    with_kinds = parsed.select(
        "*",
        *[json_kind(name).alias(_KIND_PREFIX + name) for name in contract.property_names],
        *[
            F.coalesce(string_content(name), json_value(name)).alias(_TEXT_PREFIX + name)
            for name in contract.property_names
        ],
    )
    typed = {rule.name: typed_value(rule) for rule in contract.properties}
    checks: list[Column] = [F.col(JSON_ERROR)]
    checks += [F.when(~is_present(name), F.lit(f"missing_field:{name}")) for name in contract.required]
    checks += [property_problem(rule) for rule in contract.properties]
    for conditional in contract.conditionals:
        holds = F.lit(True)
        for field, values in conditional.conditions:
            holds = holds & F.coalesce(_string(field).isin(*values), F.lit(False))
        checks += [
            F.when(holds & ~is_present(name), F.lit(f"missing_field:{name}")) for name in conditional.required
        ]
    if not contract.additional_properties:
        known = F.array(*[F.lit(name) for name in contract.property_names])
        extra = F.array_except(F.col(JSON_KEYS), known)
        checks.append(F.when(F.size(extra) > 0, F.concat(F.lit("unexpected_field:"), extra[0])))
    if TIMESTAMP_FIELD in typed:
        limit = F.lit((now + timedelta(minutes=max_future_minutes)).isoformat()).cast("timestamp")
        checks.append(F.when(typed[TIMESTAMP_FIELD] > limit, F.lit(f"future_timestamp:{TIMESTAMP_FIELD}")))
    # coalesce stops at the first non-null check, so later (costlier) checks only run when needed.
    return with_kinds.select(
        *parsed.columns, F.coalesce(*checks).alias(REASON), *[col.alias(name) for name, col in typed.items()]
    )


def typed_value(rule: PropertyRule) -> Column:
    """The value converted to the property's storage type (null when absent, null or of another kind).

    One expression for every storage type: the text of a JSON null is null, so listing "null" among the
    accepted kinds changes nothing, and a cast to "string" is the identity that Spark removes."""
    accepted_kinds = sorted({"number" if kind == "integer" else kind for kind in rule.kinds})
    return F.when(_kind(rule.name).isin(*accepted_kinds), _text(rule.name)).cast(rule.storage_type)


def property_problem(rule: PropertyRule) -> Column:
    """Reason why a present value breaks the property's rules, else null."""
    name = rule.name
    kind = _kind(name)
    accepts_kind = F.lit(False)
    for alt in rule.alternatives:
        accepts_kind = accepts_kind | _kind_matches(kind, alt)
    wrong_kind_reason = (
        F.when(kind == "null", F.lit(f"null_value:{name}"))
        .when(F.lit(rule.is_enum_only), F.lit(f"invalid_enum:{name}"))
        .otherwise(F.lit(f"invalid_type:{name}"))
    )
    # The first alternative of the value's kind decides the reason reported for a failing constraint.
    constraint_reason: Column = F.lit(None).cast("string")
    for alt in reversed(rule.alternatives):
        constraint_reason = F.when(_kind_matches(kind, alt), _first_failure(name, alt)).otherwise(
            constraint_reason
        )
    branch_kinds = ["number" if alt.kind == "integer" else alt.kind for alt in rule.alternatives]
    if len(set(branch_kinds)) < len(branch_kinds):
        # Branches sharing a JSON type (integer and number): a value any of them accepts is valid, so
        # the first branch's reason applies only when none accepts it.
        accepted = F.lit(False)
        for alt in rule.alternatives:
            accepted = accepted | (_kind_matches(kind, alt) & _first_failure(name, alt).isNull())
        constraint_reason = F.when(~accepted, constraint_reason)
    problem = (
        F.when(kind == "absent", F.lit(None).cast("string"))
        .when(~accepts_kind, wrong_kind_reason)
        .otherwise(constraint_reason)
    )
    if rule.exactly_one and len(rule.alternatives) > 1:
        passing = sum(
            (
                F.when(_kind_matches(kind, alt) & _first_failure(name, alt).isNull(), 1).otherwise(0)
                for alt in rule.alternatives
            ),
            F.lit(0),
        )
        problem = F.coalesce(problem, F.when(passing > 1, F.lit(f"ambiguous_one_of:{name}")))
    if rule.storage_type in ("string", "timestamp"):
        return problem
    # A value the contract accepts may still not fit the column, e.g. money beyond decimal(18,2).
    storage_problem = F.when(
        ~kind.isin("absent", "null") & typed_value(rule).isNull(), F.lit(f"out_of_range:{name}")
    )
    return F.coalesce(problem, storage_problem)


def _kind_matches(kind: Column, alt: Alternative) -> Column:
    if alt.kind == "integer":
        return kind == "number"
    return kind == alt.kind


def _first_failure(name: str, alt: Alternative) -> Column:
    """First failing constraint of ``alt`` for the value of ``name`` (assumes the kind matches)."""
    failures: list[tuple[Column, str]] = []
    if alt.kind == "string":
        content = _text(name)
        if alt.enum is not None:
            failures.append((~content.isin(*alt.enum), "invalid_enum"))
        if alt.min_length is not None:
            failures.append((F.length(content) < alt.min_length, "too_short"))
        if alt.max_length is not None:
            failures.append((F.length(content) > alt.max_length, "too_long"))
        if alt.pattern is not None:
            failures.append((~content.rlike(alt.pattern), "pattern_mismatch"))
        if alt.format == "date-time":
            failures.append((content.cast("timestamp").isNull(), "invalid_timestamp"))
    elif alt.kind in ("number", "integer"):
        number = _text(name).cast(_CHECK_DECIMAL)
        failures.append((number.isNull(), "out_of_range"))
        if alt.kind == "integer":
            failures.append((number % 1 != 0, "invalid_type"))
        if alt.minimum is not None:
            failures.append((number < F.lit(alt.minimum), "below_minimum"))
        if alt.exclusive_minimum is not None:
            failures.append((number <= F.lit(alt.exclusive_minimum), "below_minimum"))
        if alt.maximum is not None:
            failures.append((number > F.lit(alt.maximum), "above_maximum"))
        if alt.exclusive_maximum is not None:
            failures.append((number >= F.lit(alt.exclusive_maximum), "above_maximum"))
        if alt.multiple_of is not None:
            failures.append((number % F.lit(alt.multiple_of) != 0, "not_multiple_of"))
    result: Column = F.lit(None).cast("string")
    for failed, reason in reversed(failures):
        result = F.when(failed, F.lit(f"{reason}:{name}")).otherwise(result)
    return result
