"""The test venv runs what AWS runs: the Python and Spark declared in lib/config/aws-runtimes.json.

EMR runs the ATM job and Glue runs the load job on runtimes these tests never see. These tests tie
the venv to the declaration the CDK app deploys from (the cluster's PYSPARK_PYTHON, the Glue job's
GlueVersion), so a job that imports here imports there: when the venv drifts from the declaration,
or the declaration moves to a Python or Spark the venv does not have, a test fails here instead of
the job failing on the cluster.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pyspark
import pytest

from fixtures.paths import REPO_ROOT

RUNTIMES_FILE = REPO_ROOT / "lib" / "config" / "aws-runtimes.json"
SPARK_JOBS = REPO_ROOT / "spark-jobs"
# Modules that exist only inside AWS Glue: an entry point importing them is compiled, not imported.
GLUE_ONLY_MODULES = {"awsglue"}

RUNTIMES: dict[str, Any] = json.loads(RUNTIMES_FILE.read_text(encoding="utf-8"))
EMR_RELEASES: dict[str, dict[str, str]] = RUNTIMES["emr"]["releases"]
GLUE: dict[str, str] = RUNTIMES["glue"]


def minor(version: str) -> str:
    """'3.11.7' -> '3.11'."""
    match = re.match(r"^(\d+)\.(\d+)(?:\.|$)", version)
    assert match, f"{version!r} is not a major.minor[.patch] version"
    return f"{match[1]}.{match[2]}"


def running_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def declared_python_minors() -> set[str]:
    return {release["python"] for release in EMR_RELEASES.values()} | {GLUE["python"]}


@pytest.mark.parametrize("release_label", sorted(EMR_RELEASES))
def test_interpreter_is_the_python_of_every_declared_emr_release(release_label: str) -> None:
    # Any declared release may be chosen per stage in cdk.json, so each must match the venv.
    declared = EMR_RELEASES[release_label]["python"]
    assert running_python() == declared, (
        f"tests run Python {running_python()} but {release_label} runs the ATM job on Python {declared}; "
        f"rebuild .local/venv with Python {declared} or change {RUNTIMES_FILE.name}"
    )


def test_interpreter_is_the_glue_python() -> None:
    assert running_python() == GLUE["python"], (
        f"tests run Python {running_python()} but Glue {GLUE['version']} runs the load job on "
        f"Python {GLUE['python']}"
    )


@pytest.mark.parametrize("release_label", sorted(EMR_RELEASES))
def test_pyspark_is_the_spark_minor_of_every_declared_emr_release(release_label: str) -> None:
    declared = EMR_RELEASES[release_label]["spark"]
    assert minor(pyspark.__version__) == minor(declared), (
        f"tests use pyspark {pyspark.__version__} but {release_label} ships Spark {declared}; "
        "pin pyspark in requirements.txt to the same minor"
    )


def test_pyspark_is_the_glue_spark_minor() -> None:
    assert minor(pyspark.__version__) == minor(GLUE["spark"]), (
        f"tests use pyspark {pyspark.__version__} but Glue {GLUE['version']} ships Spark {GLUE['spark']}"
    )


@pytest.mark.parametrize("release_label", sorted(EMR_RELEASES))
def test_emr_interpreter_path_is_the_declared_python(release_label: str) -> None:
    # PYSPARK_PYTHON is set to this path: it must name the declared minor, not the system python3.
    release = EMR_RELEASES[release_label]
    assert release["pythonInterpreter"] == f"/usr/bin/python{release['python']}"


def test_pyproject_python_floor_is_the_declared_python() -> None:
    # The oldest declared Python is the floor every job module must import on; requires-python
    # and ruff's target-version (which flags syntax and stdlib names newer than the target) say it.
    floor = min(declared_python_minors(), key=lambda v: tuple(map(int, v.split("."))))
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={floor}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + floor.replace(".", "")


def job_modules() -> list[Path]:
    return sorted(SPARK_JOBS.glob("*.py")) + sorted((SPARK_JOBS / "bankpipe").glob("*.py"))


@pytest.mark.parametrize("path", job_modules(), ids=lambda p: str(p.relative_to(SPARK_JOBS)))
def test_every_job_module_imports_on_the_declared_python(path: Path) -> None:
    # The first test pins this interpreter to the declared minor, so importing each module here
    # is importing it on the cluster's Python: a name newer than that Python fails right here.
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
    if path.parent.name == "bankpipe":
        importlib.import_module(f"bankpipe.{path.stem}" if path.stem != "__init__" else "bankpipe")
        return
    spec = importlib.util.spec_from_file_location(f"_parity_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    try:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    except ModuleNotFoundError as missing:
        if missing.name not in GLUE_ONLY_MODULES:
            raise
