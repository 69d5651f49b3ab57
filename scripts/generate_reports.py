#!/usr/bin/env python3
"""Build every file derived from the report definitions sql/reports/<report>.sql (``make reports``).

    .local/venv/bin/python scripts/generate_reports.py          # write the files
    .local/venv/bin/python scripts/generate_reports.py --check  # exit 1 naming each stale file

The files are build outputs, not sources: git ignores them (but the table in docs/data-layout.md),
``make setup`` (scripts/setup.sh) builds them, and every make target runs setup first. Their readers
fail with "run make reports" when they are missing, or older than a definition (the index keeps
each definition's SHA-256: lib/shared/report-outputs.ts compares them at synth).

Written, each marked "generated from sql/reports/<report>.sql; do not edit":
- ``sql/athena/<report>.sql``: the Athena named query (the analytics stack reads the folder);
- ``sql/redshift/1NN_report_<report>.sql``: the materialized view, its reader view and their grant
  (the warehouse's schema custom resource and the twin apply the folder), for each report computed
  in SQL, numbered 101, 102, ... in name order;
- ``spark-jobs/bankpipe/report_catalog.py``: the list of reports with the Spark SQL of each, for the
  ATM job and the warehouse load (plain Python: EMR and Glue have no sqlglot);
- ``sql/reports/index.json``: the list of reports for TypeScript (the local twin's demo, the CDK
  app's check that the outputs are current);
- the report table of ``docs/data-layout.md``, between its two marker lines.

A generated file whose report is gone is deleted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from repo_root import REPO_ROOT
from report_sql import SOURCE_DIR, WAREHOUSE_SCHEMA, ReportSource, load_reports

ATHENA_DIR = REPO_ROOT / "sql" / "athena"
REDSHIFT_DIR = REPO_ROOT / "sql" / "redshift"
CATALOG_FILE = REPO_ROOT / "spark-jobs" / "bankpipe" / "report_catalog.py"
INDEX_FILE = SOURCE_DIR / "index.json"
LAYOUT_DOC = REPO_ROOT / "docs" / "data-layout.md"
DOC_BEGIN = "<!-- report table: generated from sql/reports/*.sql by `make reports`; do not edit -->"
DOC_END = "<!-- end of the generated report table -->"
REDSHIFT_FIRST_NUMBER = 101
REDSHIFT_PATTERN = "1[0-9][0-9]_report_*.sql"
READER_GROUP = "bank_reporting"
MAKE_TARGET = "make reports"
PRINT_WIDTH = 110  # .prettierrc


def _marker(report: ReportSource) -> str:
    return f"-- generated from sql/reports/{report.name}.sql by `{MAKE_TARGET}`; do not edit"


def _note_lines(report: ReportSource) -> list[str]:
    return [f"-- {note}" if note else "--" for note in report.notes]


def athena_file(report: ReportSource) -> str:
    # The first line is the named query's description (lib/analytics/athena-workgroup.ts); Athena runs
    # exactly one statement, so no ';'.
    lines = [f"-- {report.description}", _marker(report), *_note_lines(report), report.athena_sql()]
    return "\n".join(lines) + "\n"


def redshift_file(report: ReportSource) -> str:
    name = report.name
    mv, view = f"{WAREHOUSE_SCHEMA}.mv_{name}", f"{WAREHOUSE_SCHEMA}.v_{name}"
    lines = [
        f"-- Report {name}: {report.description}",
        _marker(report),
        *_note_lines(report),
        f"-- mv_{name} holds the data (refreshed after each load); v_{name} is the stable name",
        "-- readers and grants use. Drop order matters: the view depends on the materialized view.",
        f"DROP VIEW IF EXISTS {view};",
        f"DROP MATERIALIZED VIEW IF EXISTS {mv};",
        f"CREATE MATERIALIZED VIEW {mv} AS",
        f"{report.warehouse_select()};",
        f"CREATE VIEW {view} AS",
        f"SELECT {', '.join(report.columns)}",
        f"FROM {mv};",
        "-- Readers get both names; the grant lives here because recreating the views drops it.",
        f"GRANT SELECT ON {mv}, {view} TO GROUP {READER_GROUP};",
    ]
    return "\n".join(lines) + "\n"


def redshift_files(reports: Sequence[ReportSource]) -> dict[Path, str]:
    warehouse = [report for report in reports if report.computed_in_sql]
    if REDSHIFT_FIRST_NUMBER + len(warehouse) > 200:
        raise SystemExit("more reports than sql/redshift's 1NN range holds: give the reports a 2NN range")
    return {
        REDSHIFT_DIR / f"{REDSHIFT_FIRST_NUMBER + i}_report_{report.name}.sql": redshift_file(report)
        for i, report in enumerate(warehouse)
    }


CATALOG_HEADER = '''"""The reports, generated from sql/reports/*.sql by `make reports`; do not edit.

The Spark SQL of each report, transpiled from its definition file (scripts/report_sql.py), and what the
ATM job and the warehouse load need to know about it (bankpipe.report_definition).
"""

from __future__ import annotations

from bankpipe.report_definition import ReportDefinition

REPORT_CATALOG: tuple[ReportDefinition, ...] = (
'''


def catalog_file(reports: Sequence[ReportSource]) -> str:
    entries = []
    for report in reports:
        compared = tuple(report.compared_values().items())
        spark_sql = report.spark_sql() if report.computed_in_sql else None
        entries.append(
            "    ReportDefinition(\n"
            f"        name={_python_text(report.name)},\n"
            f"        description={_python_text(report.description)},\n"
            f"        columns={report.columns!r},\n"
            f"        grain={report.grain!r},\n"
            f"        requires={_python_text(report.requires)},\n"
            f"        rows_from={_python_text(report.rows_from)},\n"
            f"        spark_sql={_python_text(spark_sql)},\n"
            f"        read_columns={report.read_columns if report.computed_in_sql else ()!r},\n"
            f"        compared_values={compared!r},\n"
            "    ),\n"
        )
    return _ruff_formatted(CATALOG_HEADER + "".join(entries) + ")\n")


def _python_text(text: str | None) -> str:
    """A Python string literal, cut into pieces that fit the line length (one per line of SQL)."""
    if text is None:
        return "None"
    pieces = [piece for line in text.splitlines(keepends=True) for piece in _short_pieces(line)]
    literals = [json.dumps(piece) for piece in pieces]  # JSON strings are valid Python strings
    return literals[0] if len(literals) == 1 else "(" + " ".join(literals) + ")"


def _short_pieces(text: str, width: int = 80) -> list[str]:
    pieces: list[str] = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width) + 1 or width
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text else pieces


def _ruff_formatted(source: str) -> str:
    """The project's formatter (ruff, pinned in requirements.txt) has the last word on layout."""
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "format", "--stdin-filename", str(CATALOG_FILE), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"ruff format failed on the generated catalog: {result.stderr.strip()}")
    return result.stdout


def index_file(reports: Sequence[ReportSource]) -> str:
    index = {
        "generatedFrom": f"sql/reports/*.sql by `{MAKE_TARGET}`; do not edit",
        "reports": [
            {
                "name": report.name,
                "description": report.description,
                "columns": list(report.columns),
                "grain": list(report.grain),
                "athenaQuery": f"sql/athena/{report.name}.sql",
                "warehouseView": f"{WAREHOUSE_SCHEMA}.v_{report.name}" if report.computed_in_sql else None,
                "rowsFrom": report.rows_from,
                "demo": [view.to_json() for view in report.demo_views],
                "sourceSha256": hashlib.sha256(report.path.read_bytes()).hexdigest(),
            }
            for report in reports
        ],
    }
    return _prettier_json(index) + "\n"


def _prettier_json(value: object, indent: str = "", prefix_width: int = 0) -> str:
    """JSON laid out as the project's Prettier does: objects one key a line, a list of plain values on
    one line when the line fits (``prefix_width``: what precedes the value on its line)."""
    inner = indent + "  "
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            prefix = f"{inner}{json.dumps(key)}: "
            items.append(prefix + _prettier_json(item, inner, len(prefix)))
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list):
        flat = "[" + ", ".join(json.dumps(v) for v in value) + "]"
        plain = all(not isinstance(v, dict | list) for v in value)
        if plain and prefix_width + len(flat) + len(",") <= PRINT_WIDTH:
            return flat
        return (
            "[\n" + ",\n".join(inner + _prettier_json(v, inner, len(inner)) for v in value) + f"\n{indent}]"
        )
    return json.dumps(value)


def layout_doc(reports: Sequence[ReportSource], current: str) -> str:
    """docs/data-layout.md with its report table (between the markers) rewritten, as Prettier lays it out."""
    if DOC_BEGIN not in current or DOC_END not in current:
        raise SystemExit(f"{LAYOUT_DOC}: put the lines {DOC_BEGIN} and {DOC_END} where the report table goes")
    rows = [["report", "grain", "columns (as the named query returns them)", "description"]]
    rows += [
        [f"`{r.name}`", ", ".join(r.grain), f"`{', '.join(r.columns)}`", r.description.replace("|", "\\|")]
        for r in reports
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    table = [line(rows[0]), line(["-" * width for width in widths]), *(line(row) for row in rows[1:])]
    before, rest = current.split(DOC_BEGIN, 1)
    after = rest.split(DOC_END, 1)[1]
    return before + DOC_BEGIN + "\n\n" + "\n".join(table) + "\n\n" + DOC_END + after


def expected_files(reports: Sequence[ReportSource]) -> dict[Path, str]:
    files = {ATHENA_DIR / f"{report.name}.sql": athena_file(report) for report in reports}
    files.update(redshift_files(reports))
    files[CATALOG_FILE] = catalog_file(reports)
    files[INDEX_FILE] = index_file(reports)
    files[LAYOUT_DOC] = layout_doc(reports, LAYOUT_DOC.read_text(encoding="utf-8"))
    return files


def generated_on_disk() -> set[Path]:
    """Files in the generated places now: Athena queries and report views (a gone report's too)."""
    return {
        *ATHENA_DIR.glob("*.sql"),
        *REDSHIFT_DIR.glob(REDSHIFT_PATTERN),
        CATALOG_FILE,
        INDEX_FILE,
        LAYOUT_DOC,
    }


def stale_files(expected: dict[Path, str]) -> list[str]:
    stale = [
        f"{path.relative_to(REPO_ROOT)} differs"
        for path, text in expected.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    stale += [f"{path.relative_to(REPO_ROOT)} has no report" for path in generated_on_disk() - set(expected)]
    return sorted(stale)


def write(expected: dict[Path, str]) -> None:
    for path in generated_on_disk() - set(expected):
        path.unlink()
    for path, text in expected.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)  # sql/athena/ is not in a fresh clone
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO_ROOT)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    args = parser.parse_args(argv)
    expected = expected_files(load_reports())
    if args.check:
        stale = stale_files(expected)
        for line in stale:
            print(f"{line}: run `{MAKE_TARGET}`", file=sys.stderr)
        return 1 if stale else 0
    write(expected)
    return 0


if __name__ == "__main__":
    sys.exit(main())
