"""Fixtures for the local twin's tests: a whole twin in a temporary state dir on free ports.

Selected with `-m twin`; they start real processes (Kafka, Connect, s3proxy, sshd, PostgreSQL) and
stop every one of them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twin_harness import RunningTwin, running_twin


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "twin: starts the local twin's real services (slow, ~2-3 minutes)")


@pytest.fixture(scope="module")
def twin() -> Iterator[RunningTwin]:
    yield from running_twin()
