"""contracts/pipeline-layout.json: the jobs read it, carry it in their zip, and no copy of it creeps back."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from bankpipe import layout as lay
from bankpipe.enrich import PARTITION_COLUMN
from bankpipe.job import Locations
from bankpipe.package import build_zip
from bankpipe.warehouse_load import transactions_path
from fixtures.packaged_zip import run_with_only_the_zip
from fixtures.paths import REPO_ROOT

LAYOUT_PATH = REPO_ROOT / "contracts" / "pipeline-layout.json"
DOCUMENT = json.loads(LAYOUT_PATH.read_text(encoding="utf-8"))
ZONES = DOCUMENT["zones"]


def test_the_module_reads_every_value_of_the_file():
    assert lay.pipeline_layout() == lay.PipelineLayout(
        slug=DOCUMENT["slug"],
        transactions_topic=DOCUMENT["transactionsTopic"],
        raw_transactions_prefix=ZONES["raw"]["transactionsPrefix"],
        raw_hour_partition=ZONES["raw"]["hourPartition"],
        sink_watermark_folder=ZONES["raw"]["sinkWatermarkFolder"],
        processed_transactions_prefix=ZONES["processed"]["transactionsPrefix"],
        processed_partition_column=ZONES["processed"]["transactionsPartitionColumn"],
        processed_reports_prefix=ZONES["processed"]["reportsPrefix"],
        manifest_folder=ZONES["processed"]["manifestFolder"],
        live_alerts_prefix=ZONES["processed"]["liveAlertsPrefix"],
        quarantine_run_partition=ZONES["quarantine"]["runPartition"],
    )


def test_the_job_paths_follow_the_layout():
    where = Locations(inputs=[], output="s3://processed/", quarantine_root="s3://quarantine", run_id="r-1")
    processed = ZONES["processed"]
    assert where.transactions == f"s3://processed/{processed['transactionsPrefix'].rstrip('/')}"
    assert where.manifest == f"s3://processed/{processed['manifestFolder']}r-1.json"
    assert where.report("ops_totals") == f"s3://processed/{processed['reportsPrefix']}ops_totals"
    run_folder = ZONES["quarantine"]["runPartition"].replace("{runId}", "r-1").rstrip("/")
    assert where.quarantine == f"s3://quarantine/{run_folder}"
    assert transactions_path("s3://processed") == where.transactions
    assert processed["transactionsPartitionColumn"] == PARTITION_COLUMN


def test_partition_patterns_are_filled_zero_padded():
    hour = lay.fill_partition(ZONES["raw"]["hourPartition"], {"year": 2024, "month": 5, "day": 1, "hour": 9})
    assert re.fullmatch(r"[^{}]*2024[^{}]*05[^{}]*01[^{}]*09/", hour), hour
    assert lay.fill_partition("h={hour:2}/", {"hour": 7}) == "h=07/"
    with pytest.raises(lay.LayoutError, match=r"needs a value for \{runId\}"):
        lay.fill_partition("run_id={runId}/", {})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("slug", "Bank-Pipe", r"slug is 'Bank-Pipe'"),
        (
            "zones.processed.manifestFolder",
            "/_manifest",
            r"manifestFolder is '/_manifest'; it must be a folder",
        ),
        (
            "zones.raw.hourPartition",
            "year={year:4}/hour={hour:2}/",
            r"fields \['year', 'month', 'day', 'hour'\]",
        ),
    ],
)
def test_a_bad_layout_names_the_key_and_the_rule(key, value, message):
    document = json.loads(json.dumps(DOCUMENT))
    node = document
    *parents, last = key.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    with pytest.raises(lay.LayoutError, match=message):
        lay.layout_from_text(json.dumps(document), "layout.json")


def test_the_job_zip_carries_the_file_and_the_job_reads_it_from_there(tmp_path):
    archive = build_zip(tmp_path / "bankpipe.zip")
    with zipfile.ZipFile(archive) as zipped:
        assert zipped.read("bankpipe/pipeline-layout.json").decode() == LAYOUT_PATH.read_text(
            encoding="utf-8"
        )
    # A fresh interpreter with only the zip on its path (as on EMR) finds the packaged copy.
    probe = "from bankpipe.layout import locate_layout_text; print(locate_layout_text()[1])"
    where = run_with_only_the_zip(archive, probe, tmp_path).strip()
    assert where == "bankpipe/pipeline-layout.json (packaged)"


# Layout values written as code literals: a quoted zone folder, or an hour/run partition spelled out.
# Comments and docstrings may describe the layout; code must derive it from the layout modules.
_SOURCE_DIRS = ("lib", "lambda", "spark-jobs", "connectors", "tools", "local", "scripts")
_SUFFIXES = {".ts", ".py", ".java"}
_LITERALS = [
    re.compile(r"""["'`](?:raw/)?transactions/["'`*]"""),
    re.compile(r"""["'`]_manifest/?["'`*]"""),
    re.compile(r"""["'`]_sink_watermarks/?["'`*]"""),
    re.compile(r"""["'`]year=[^"'`]*hour="""),
    re.compile(r"""["'`]run_id=(?:\{|\$\{)"""),
]
_ALLOWED = {
    # The two modules that read the layout file.
    "lib/shared/pipeline-layout.ts",
    "spark-jobs/bankpipe/layout.py",
}


def _code_lines(text: str, suffix: str):
    """Lines outside comments (good enough for this check: block comments and '#'/'//' lines skipped)."""
    in_block = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if suffix in {".ts", ".java"}:
            if in_block:
                in_block = "*/" not in stripped
                continue
            if stripped.startswith("/*"):
                in_block = "*/" not in stripped
                continue
            if stripped.startswith(("//", "*")):
                continue
        elif stripped.startswith("#"):
            continue
        yield number, line


def test_no_layout_literal_reappears_in_source():
    offenders = []
    for folder in _SOURCE_DIRS:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if path.suffix not in _SUFFIXES or relative in _ALLOWED or "/node_modules/" in f"/{relative}":
                continue
            if "/src/test/" in relative or "/target/" in relative:
                continue
            for number, line in _code_lines(path.read_text(encoding="utf-8", errors="replace"), path.suffix):
                if any(pattern.search(line) for pattern in _LITERALS):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "derive these from contracts/pipeline-layout.json:\n" + "\n".join(offenders)
