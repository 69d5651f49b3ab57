"""How the local twin's demo shows a report: the ``-- demo:`` lines of sql/reports/<report>.sql.

A report's definition says how the demo presents it, so that adding, renaming or dropping a report
is one file: the demo (local/pipeline/reports.ts) lists no report, it shows every view of the index.
Each line is one view, a table in the terminal or a chart in the HTML report:

    -- demo: table txn_count, total_amount by year, month
    -- demo: table count(*) by rule                        rows counted per rule
    -- demo: bars failure_rate by atm_id, city order by failure_rate desc, atm_id limit 20 as percent
    -- demo: columns sum(txn_count) by txn_hour on warehouse

    <kind> <values> [by <columns>] [order by <column> [desc], ...] [limit <n>] [as percent] [on <engine>]

- kind: ``table`` (printed by the demo), ``bars`` or ``columns`` (charts of the HTML report);
- values: output columns of the report, or aggregates over them, ``sum(<column>)`` and ``count(*)``;
  with aggregates the rows are grouped by the ``by`` columns, without them each row is shown as it is
  and the ``by`` columns label it (a chart takes exactly one value);
- order: the rows' order before ``limit``, default the ``by`` columns ascending;
- as percent: a chart's values are shares, printed as percentages;
- engine: ``warehouse`` (the report's view, the default when it has one) or ``athena`` (its named
  query on the Athena stand-in, the only one for a ``rows from`` report).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("table", "bars", "columns")
CHART_KINDS = ("bars", "columns")
ENGINES = ("warehouse", "athena")
COUNT_COLUMN = "count"

_LINE = re.compile(
    r"^(?P<kind>\w+)\s+(?P<values>.+?)"
    r"(?:\s+by\s+(?P<by>.+?))?"
    r"(?:\s+order\s+by\s+(?P<order>.+?))?"
    r"(?:\s+limit\s+(?P<limit>\S+))?"
    r"(?P<percent>\s+as\s+percent)?"
    r"(?:\s+on\s+(?P<engine>\S+))?$"
)
_SUM = re.compile(r"^sum\((?P<column>\w+)\)$")
_ORDER_ITEM = re.compile(r"^(?P<column>\w+)(?:\s+(?P<direction>asc|desc))?$")
SYNTAX = (
    "<table|bars|columns> <values> [by <columns>] [order by <column> [desc], ...] [limit <n>] "
    "[as percent] [on <warehouse|athena>]"
)


class DemoViewError(ValueError):
    """A ``-- demo:`` line that cannot be shown; the message names what is wrong and the fix."""


@dataclass(frozen=True)
class DemoValue:
    """One shown value: an output column as it is, or an aggregate over the rows of a group."""

    column: str | None  # None for count(*)
    aggregate: str | None  # "sum", "count" or None

    @property
    def name(self) -> str:
        return self.column if self.column is not None else COUNT_COLUMN

    def to_json(self) -> dict[str, object]:
        return {"column": self.column, "aggregate": self.aggregate, "name": self.name}


@dataclass(frozen=True)
class DemoView:
    kind: str
    values: tuple[DemoValue, ...]
    by: tuple[str, ...]
    order: tuple[tuple[str, bool], ...]  # (column, descending)
    limit: int | None
    percent: bool
    engine: str

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "values": [value.to_json() for value in self.values],
            "by": list(self.by),
            "order": [{"column": column, "descending": descending} for column, descending in self.order],
            "limit": self.limit,
            "percent": self.percent,
            "engine": self.engine,
        }


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _value(text: str) -> DemoValue:
    if text.lower() == "count(*)":
        return DemoValue(None, "count")
    summed = _SUM.match(text.lower())
    if summed:
        return DemoValue(summed["column"], "sum")
    return DemoValue(text, None)


def parse_demo_view(text: str, columns: tuple[str, ...], has_warehouse_view: bool) -> DemoView:
    """One ``-- demo:`` line, checked against the report's output columns and engines."""
    match = _LINE.match(text.strip())
    if not match:
        raise DemoViewError(f"'demo: {text}' does not read as '{SYNTAX}'")
    kind = match["kind"]
    if kind not in KINDS:
        raise DemoViewError(f"'demo: {text}': the kind is one of {', '.join(KINDS)}, not {kind!r}")
    values = tuple(_value(item) for item in _split(match["values"]))
    by = tuple(_split(match["by"] or ""))
    order_items = [_ORDER_ITEM.match(item) for item in _split(match["order"] or "")]
    if any(item is None for item in order_items):
        raise DemoViewError(f"'demo: {text}': order by takes '<column> [asc|desc], ...'")
    order = tuple((item["column"], item["direction"] == "desc") for item in order_items if item)
    grouped = any(value.aggregate is not None for value in values)
    if grouped and any(value.aggregate is None for value in values):
        raise DemoViewError(
            f"'demo: {text}': mix no plain columns with sum()/count(*): "
            "with aggregates, plain columns go after 'by'"
        )
    if grouped and not by:
        raise DemoViewError(f"'demo: {text}': an aggregate needs 'by <columns>' to group the rows by")
    if kind in CHART_KINDS and len(values) != 1:
        raise DemoViewError(f"'demo: {text}': a chart shows exactly one value, {len(values)} given")
    if kind in CHART_KINDS and not by:
        raise DemoViewError(f"'demo: {text}': a chart needs 'by <columns>' for its labels")
    if not by and not match["order"]:
        # A warehouse view has no order of its own: the rows would come in any order.
        raise DemoViewError(f"'demo: {text}': give the rows an order: 'by <columns>' or 'order by <columns>'")
    if match["percent"] and kind not in CHART_KINDS:
        raise DemoViewError(
            f"'demo: {text}': 'as percent' formats a chart's values; a table shows them as stored"
        )
    referenced = [value.column for value in values if value.column is not None] + list(by)
    shown = {*by, *(value.name for value in values)}
    unknown = [column for column in referenced if column not in columns]
    # Grouped rows are ordered by what they show; plain rows by any output column of the report.
    unknown += [column for column, _ in order if column not in (shown if grouped else columns)]
    if unknown:
        only_ordering = grouped and all(column in columns for column in referenced)
        lacking = "grouped rows do not have" if only_ordering else "SELECT does not output"
        raise DemoViewError(
            f"'demo: {text}' names {unknown}, which the {lacking}; its columns are {', '.join(columns)}"
        )
    limit = None
    if match["limit"] is not None:
        if not match["limit"].isdigit() or int(match["limit"]) < 1:
            raise DemoViewError(
                f"'demo: {text}': limit takes a whole number of rows from 1, not {match['limit']!r}"
            )
        limit = int(match["limit"])
    engine = match["engine"] or ("warehouse" if has_warehouse_view else "athena")
    if engine not in ENGINES:
        raise DemoViewError(f"'demo: {text}': the engine is one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "warehouse" and not has_warehouse_view:
        raise DemoViewError(
            f"'demo: {text}': the report has no warehouse view (its rows come from a module); "
            "show it 'on athena'"
        )
    return DemoView(
        kind=kind,
        values=values,
        by=by,
        order=order or tuple((column, False) for column in by),
        limit=limit,
        percent=bool(match["percent"]),
        engine=engine,
    )
