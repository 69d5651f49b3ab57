"""Shared pytest fixtures: one local SparkSession for the whole test run.

Spark start-up costs seconds, so the session is shared; tests must not rely on
session state left behind by others (use temp dirs, not global tables).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from fixtures.paths import BERKA_DIR, REPO_ROOT

SCHEMA_PATH = REPO_ROOT / "contracts" / "transaction.schema.json"
# JDBC drivers fetched by `mvn -f spark-jobs/jdbc/pom.xml dependency:copy-dependencies` (warehouse tests).
LOCAL_JARS = sorted(str(jar) for jar in (REPO_ROOT / ".local" / "jars").glob("*.jar"))


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    # Workers must use the same interpreter as the driver (the project venv).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("bankpipe-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", "2g")
        .config("spark.jars", ",".join(LOCAL_JARS))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def schema_path() -> Path:
    return SCHEMA_PATH


@pytest.fixture(scope="session")
def berka_dir() -> Path:
    return BERKA_DIR
