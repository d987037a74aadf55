"""`up`, `down` and `status` for the whole local system."""

from dataclasses import dataclass

from common.serve import OPEN_ACCESS_HINT
from common.settings import Settings
from ops.admin import indexes, topics
from ops.launcher import elasticsearch, kafka
from ops.launcher.errors import LauncherError
from ops.launcher.processes import ManagedProcess
from ops.launcher.services import app_services, every_app_service


@dataclass(frozen=True)
class ProcessStatus:
    name: str
    pid: int | None
    healthy: bool
    log_file: str


def up(settings: Settings, *, apps: bool = True) -> None:
    """Start what is not running, in dependency order, and return once all are healthy."""
    if open_apis := settings.open_apis():
        raise LauncherError(f"refusing to start the {' and the '.join(open_apis)} with no API keys: {OPEN_ACCESS_HINT}")
    started_kafka = kafka.start(settings)
    started_es = elasticsearch.start(settings)
    _say("kafka", "starting" if started_kafka else "already running")
    _say("elasticsearch", "starting" if started_es else "already running")
    kafka.wait_healthy(settings)
    elasticsearch.wait_healthy(settings)
    _say("kafka + elasticsearch", "healthy")
    topics.ensure_topics(settings)
    indexes.ensure_indexes(settings)
    _say("topics and indexes", "ready")
    if not apps:
        return
    services = app_services(settings)
    started = [service for service in services if service.start(settings)]
    for service in services:
        service.wait_healthy(settings)
        _say(service.name, "healthy" + ("" if service in started else " (already running)"))


def down(settings: Settings) -> list[str]:
    """Stop the apps first, then the servers. Returns the names of what was running."""
    ordered = [*(service.process(settings) for service in reversed(every_app_service())),
               elasticsearch.process(settings), kafka.process(settings)]
    return [managed.name for managed in ordered if managed.stop()]


def status(settings: Settings) -> list[ProcessStatus]:
    checks: list[tuple[ManagedProcess, bool]] = [
        (kafka.process(settings), kafka.healthy(settings)),
        (elasticsearch.process(settings), elasticsearch.healthy(settings)),
        *((service.process(settings), service.healthy(settings)) for service in app_services(settings)),
    ]
    return [ProcessStatus(managed.name, managed.pid(), ok, str(managed.log_file)) for managed, ok in checks]


def all_processes(settings: Settings) -> list[ManagedProcess]:
    return [kafka.process(settings), elasticsearch.process(settings),
            *(service.process(settings) for service in app_services(settings))]


def _say(what: str, state: str) -> None:
    print(f"  {what:<24} {state}", flush=True)
