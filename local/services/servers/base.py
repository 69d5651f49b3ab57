"""What every local service provides to the manager."""

from __future__ import annotations

import signal
from abc import ABC, abstractmethod

from services.settings import Paths


class Service(ABC):
    """`ports` given to the methods holds every port of the twin (keys of services.settings.PORTS), so a
    service can reach the ones it depends on; `port_keys` are the ones it listens on itself."""

    name: str
    description: str
    port_keys: tuple[str, ...]
    depends_on: tuple[str, ...] = ()
    ready_timeout_seconds: float = 90.0
    stop_signal: int = signal.SIGTERM

    def prepare(self, paths: Paths, ports: dict[str, int]) -> None:
        """One-time initialisation (kept on disk) and config files for this start."""
        return None

    @abstractmethod
    def command(self, paths: Paths, ports: dict[str, int]) -> list[str]: ...

    def env(self, paths: Paths) -> dict[str, str] | None:
        """Environment of the process; None inherits the caller's."""
        return None

    def run_as_user(self) -> str | None:
        """OS user to run as (set in the child before exec, so the pid is the server itself)."""
        return None

    @abstractmethod
    def not_ready_reason(self, paths: Paths, ports: dict[str, int]) -> str | None:
        """None once the service answers at protocol level, else what is still missing."""

    def after_ready(self, paths: Paths, ports: dict[str, int]) -> None:
        """Idempotent set-up that needs the running server (buckets, databases)."""
        return None

    def endpoint(self, ports: dict[str, int]) -> str:
        return f"127.0.0.1:{ports[self.port_keys[0]]}"
