"""The pipeline's shared names and paths, from their one definition, ``contracts/pipeline-layout.json``.

Where the file is found, in order:

1. ``bankpipe/pipeline-layout.json`` inside the package: the EMR and Glue jobs get the package as a
   zip (``--py-files``), which ``python -m bankpipe.package`` builds with the file in it; read with
   ``pkgutil.get_data``, which works inside zips. Nothing is read from the repository at run time.
2. ``<repo>/contracts/pipeline-layout.json`` next to a source checkout (tests, ``make job``, the twin).

The TypeScript side reads the same file through ``lib/shared/pipeline-layout.ts``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bankpipe.packaged_files import packaged_or_checkout_text

LAYOUT_RESOURCE = "pipeline-layout.json"
REPO_LAYOUT_PATH = Path(__file__).resolve().parents[2] / "contracts" / LAYOUT_RESOURCE

_FOLDER = re.compile(r"[A-Za-z0-9_.=-]+/")
_FIELD = re.compile(r"\{([a-zA-Z]+)(?::([1-9]))?\}")


class LayoutError(ValueError):
    """The layout file is missing or does not have the shape the jobs need."""


@dataclass(frozen=True)
class PipelineLayout:
    slug: str
    transactions_topic: str
    raw_transactions_prefix: str
    raw_hour_partition: str
    sink_watermark_folder: str
    processed_transactions_prefix: str
    processed_partition_column: str
    processed_reports_prefix: str
    manifest_folder: str
    live_alerts_prefix: str
    quarantine_run_partition: str

    def quarantine_run_folder(self, run_id: str) -> str:
        """``run_id=<run id>/`` as the layout names it."""
        return fill_partition(self.quarantine_run_partition, {"runId": run_id})

    def manifest_name(self, run_id: str) -> str:
        """``_manifest/<run id>.json``, relative to the processed zone."""
        return f"{self.manifest_folder}{run_id}.json"


def fill_partition(pattern: str, values: dict[str, str | int]) -> str:
    """Fill ``{name}`` with the value and ``{name:N}`` with it zero-padded to N digits."""

    def value(match: re.Match[str]) -> str:
        name, digits = match.group(1), match.group(2)
        if name not in values:
            raise LayoutError(f"partition pattern {pattern!r} needs a value for {{{name}}}")
        text = str(values[name])
        return text.zfill(int(digits)) if digits else text

    return _FIELD.sub(value, pattern)


def layout_from_text(text: str, source: str) -> PipelineLayout:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise LayoutError(f"{source} is not JSON: {error}") from error

    def at(dotted: str) -> Any:
        node: Any = document
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def folder(dotted: str) -> str:
        value = at(dotted)
        if not isinstance(value, str) or not _FOLDER.fullmatch(value):
            raise LayoutError(
                f"{source}: {dotted} is {value!r}; it must be a folder like 'transactions/' "
                "(no leading '/', one trailing '/')"
            )
        return value

    def text_at(dotted: str, rule: str) -> str:
        value = at(dotted)
        if not isinstance(value, str) or not re.fullmatch(rule, value):
            raise LayoutError(f"{source}: {dotted} is {value!r}; it must match {rule}")
        return value

    def pattern(dotted: str, fields: list[str]) -> str:
        value = at(dotted)
        if not isinstance(value, str) or not value.endswith("/") or value.startswith("/"):
            raise LayoutError(f"{source}: {dotted} is {value!r}; it must be a folder pattern ending with '/'")
        named = [match.group(1) for match in _FIELD.finditer(value)]
        if named != fields:
            raise LayoutError(
                f"{source}: {dotted} is {value!r}; it must have the fields {fields} in this order"
            )
        return value

    return PipelineLayout(
        slug=text_at("slug", r"[a-z]{2,16}"),
        transactions_topic=text_at("transactionsTopic", r"[a-zA-Z0-9._-]{1,249}"),
        raw_transactions_prefix=folder("zones.raw.transactionsPrefix"),
        raw_hour_partition=pattern("zones.raw.hourPartition", ["year", "month", "day", "hour"]),
        sink_watermark_folder=folder("zones.raw.sinkWatermarkFolder"),
        processed_transactions_prefix=folder("zones.processed.transactionsPrefix"),
        processed_partition_column=text_at("zones.processed.transactionsPartitionColumn", r"[a-z_]+"),
        processed_reports_prefix=folder("zones.processed.reportsPrefix"),
        manifest_folder=folder("zones.processed.manifestFolder"),
        live_alerts_prefix=folder("zones.processed.liveAlertsPrefix"),
        quarantine_run_partition=pattern("zones.quarantine.runPartition", ["runId"]),
    )


def locate_layout_text() -> tuple[str, str]:
    """Return (layout JSON text, where it came from) following the lookup order in the module doc."""
    found = packaged_or_checkout_text(LAYOUT_RESOURCE, REPO_LAYOUT_PATH)
    if found is not None:
        return found
    raise LayoutError(
        f"no pipeline layout found: build the job zip with `python -m bankpipe.package` so that "
        f"bankpipe/{LAYOUT_RESOURCE} is packaged, or run from a checkout that has {REPO_LAYOUT_PATH}"
    )


@cache
def pipeline_layout() -> PipelineLayout:
    """The layout the job runs with (read once per process)."""
    return layout_from_text(*locate_layout_text())
