"""Build the zip that EMR receives with ``--py-files``: the bankpipe package plus the contracts.

    python -m bankpipe.package dist/bankpipe.zip [--schema contracts/transaction.schema.json]
        [--fraud-rules contracts/fraud-rules.json] [--layout contracts/pipeline-layout.json]

The schema is written into the zip as ``bankpipe/transaction.schema.json``, the fraud rules as
``bankpipe/fraud-rules.json`` and the pipeline layout as ``bankpipe/pipeline-layout.json`` (never
copied into the source tree), where ``contract.locate_schema_text``, ``fraud_rules.locate_fraud_rules_text``
and ``layout.locate_layout_text`` find them with ``pkgutil.get_data``. Entries get a fixed
timestamp and order so the zip (and the CDK asset hash built from it) only changes when the code or
the contracts change.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from bankpipe.contract import REPO_SCHEMA_PATH, SCHEMA_RESOURCE, contract_from_text
from bankpipe.fraud_rules import FRAUD_RULES_RESOURCE, REPO_FRAUD_RULES_PATH, fraud_rules_from_text
from bankpipe.layout import LAYOUT_RESOURCE, REPO_LAYOUT_PATH, layout_from_text

PACKAGE_DIR = Path(__file__).resolve().parent
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def build_zip(
    target: Path,
    schema_path: Path = REPO_SCHEMA_PATH,
    fraud_rules_path: Path = REPO_FRAUD_RULES_PATH,
    layout_path: Path = REPO_LAYOUT_PATH,
) -> Path:
    schema_text = schema_path.read_text(encoding="utf-8")
    contract_from_text(schema_text, str(schema_path))  # refuse to package a contract the job cannot use
    fraud_rules_text = fraud_rules_path.read_text(encoding="utf-8")
    fraud_rules_from_text(fraud_rules_text, str(fraud_rules_path))  # and rules it cannot apply
    layout_text = layout_path.read_text(encoding="utf-8")
    layout_from_text(layout_text, str(layout_path))  # and a layout it cannot follow
    target.parent.mkdir(parents=True, exist_ok=True)
    sources = sorted(path for path in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in path.parts)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for source in sources:
            name = f"bankpipe/{source.relative_to(PACKAGE_DIR).as_posix()}"
            _write(archive, name, source.read_bytes())
        _write(archive, f"bankpipe/{SCHEMA_RESOURCE}", schema_text.encode("utf-8"))
        _write(archive, f"bankpipe/{FRAUD_RULES_RESOURCE}", fraud_rules_text.encode("utf-8"))
        _write(archive, f"bankpipe/{LAYOUT_RESOURCE}", layout_text.encode("utf-8"))
    return target


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the bankpipe zip for spark-submit --py-files.")
    parser.add_argument("target", type=Path, help="zip file to write, e.g. dist/bankpipe.zip")
    parser.add_argument("--schema", type=Path, default=REPO_SCHEMA_PATH, help="transaction JSON Schema")
    parser.add_argument("--fraud-rules", type=Path, default=REPO_FRAUD_RULES_PATH, help="fraud rules file")
    parser.add_argument("--layout", type=Path, default=REPO_LAYOUT_PATH, help="pipeline layout file")
    args = parser.parse_args(argv)
    print(build_zip(args.target, args.schema, args.fraud_rules, args.layout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
