"""The project's own processes: the worker process(es) and the two HTTP APIs."""

import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.launcher.errors import LauncherError
from ops.launcher.processes import ManagedProcess, require_free_port, wait_until
from ops.settings import Settings


def no_overrides(settings: Settings) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class AppService:
    name: str
    module: str
    port_setting: str
    # Settings this process runs with that differ from the system's (a worker's number and port).
    overrides: Callable[[Settings], dict[str, Any]] = no_overrides

    def settings(self, settings: Settings) -> Settings:
        changes = self.overrides(settings)
        return settings.model_copy(update=changes) if changes else settings

    def port(self, settings: Settings) -> int:
        return int(getattr(self.settings(settings), self.port_setting))

    def process(self, settings: Settings) -> ManagedProcess:
        return ManagedProcess(self.name, settings)

    def health_url(self, settings: Settings) -> str:
        return f"http://127.0.0.1:{self.port(settings)}/health"

    def start(self, settings: Settings) -> bool:
        managed = self.process(settings)
        if managed.pid() is not None:
            return False
        require_free_port(self.port(settings), self.name, f"ORDERFLOW_{self.port_setting.upper()}")
        managed.start([sys.executable, "-m", self.module], env=self.settings(settings).as_env())
        return True

    def healthy(self, settings: Settings) -> bool:
        try:
            with urllib.request.urlopen(self.health_url(settings), timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_healthy(self, settings: Settings) -> None:
        managed = self.process(settings)

        def ready() -> bool:
            if managed.pid() is None:
                raise LauncherError(f"{self.name} exited during start-up: see {managed.log_file}")
            return self.healthy(settings)

        if not wait_until(ready, settings.startup_timeout_s, interval_s=0.5):
            raise LauncherError(f"{self.name} did not become healthy: see {managed.log_file}")


def worker(index: int) -> AppService:
    """Worker process number ``index``: ``worker``, then ``worker-1``, ``worker-2`` … on the ports after the first's,
    each with stores and transactional ids of its own, all in one consumer group."""
    if index == 0:
        return AppService("worker", "streams", "worker_web_port")

    def overrides(settings: Settings) -> dict[str, Any]:
        return {"worker_index": index, "worker_web_port": settings.worker_web_port + index}

    return AppService(f"worker-{index}", "streams", "worker_web_port", overrides)


WORKER = worker(0)
COMMAND_API = AppService("command-api", "producers", "command_api_port")
QUERY_API = AppService("query-api", "query_api", "query_api_port")
# Worker processes a system of more workers left running: ``down`` stops them whatever ``workers`` is now.
MOST_WORKERS = 16


def app_services(settings: Settings) -> tuple[AppService, ...]:
    """The processes of the system as configured (``ORDERFLOW_WORKERS`` worker processes)."""
    return (*(worker(index) for index in range(settings.workers)), COMMAND_API, QUERY_API)


def every_app_service() -> tuple[AppService, ...]:
    return (*(worker(index) for index in range(MOST_WORKERS)), COMMAND_API, QUERY_API)
