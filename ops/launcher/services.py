"""The project's own processes: the worker process(es) and the two HTTP APIs."""

import os
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.launcher.errors import LauncherError
from ops.launcher.processes import ManagedProcess, require_free_port, wait_until
from ops.settings import Settings

# glibc gives each thread that allocates an arena of its own (up to eight per core), and memory freed in one is not
# handed back to another: a worker's loop, indexer and Kafka client threads held a sixth more resident memory than
# with two arenas. A value the user set wins.
ALLOCATOR_ENV = {"MALLOC_ARENA_MAX": "2"}


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
        allocator = {name: value for name, value in ALLOCATOR_ENV.items() if name not in os.environ}
        managed.start([sys.executable, "-m", self.module], env={**allocator, **self.settings(settings).as_env()})
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


def worker(index: int, loops: tuple[str, ...] | None = None) -> AppService:
    """Worker process number ``index`` running ``loops`` (``None``: both loops, as the settings say). Its name is
    ``worker`` or ``worker-<index>``, and ``-projectors`` for a process of the projectors alone, which listens on
    the port after the workers' own; each worker number has stores and transactional ids of its own, and every
    worker process is a member of the one consumer group."""
    name = "worker" if index == 0 else f"worker-{index}"
    projectors_alone = loops == ("projectors",)
    if projectors_alone:
        name += "-projectors"
    if index == 0 and loops is None:
        return AppService(name, "streams", "worker_web_port")

    def overrides(settings: Settings) -> dict[str, Any]:
        port = settings.worker_web_port + index + (settings.workers if projectors_alone else 0)
        changes: dict[str, Any] = {"worker_index": index, "worker_web_port": port}
        return {**changes, "worker_loops": loops} if loops is not None else changes

    return AppService(name, "streams", "worker_web_port", overrides)


def worker_services(settings: Settings) -> tuple[AppService, ...]:
    """The worker processes as configured: ``ORDERFLOW_WORKERS`` of them, each as two processes (deciders, then
    projectors) when ``ORDERFLOW_WORKER_PROCESS_PER_LOOP``."""
    if not settings.worker_process_per_loop:
        return tuple(worker(index) for index in range(settings.workers))
    return tuple(worker(index, loops) for index in range(settings.workers)
                 for loops in (("deciders",), ("projectors",)))


COMMAND_API = AppService("command-api", "producers", "command_api_port")
QUERY_API = AppService("query-api", "query_api", "query_api_port")
# Worker processes a system of more workers left running: ``down`` stops them whatever ``workers`` is now.
MOST_WORKERS = 16


def app_services(settings: Settings) -> tuple[AppService, ...]:
    """The processes of the system as configured."""
    return (*worker_services(settings), COMMAND_API, QUERY_API)


def every_app_service() -> tuple[AppService, ...]:
    workers = [service for index in range(MOST_WORKERS) for service in (worker(index), worker(index, ("projectors",)))]
    return (*workers, COMMAND_API, QUERY_API)
