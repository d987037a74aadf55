"""`up`, `down` and `status` for the whole local system."""

from dataclasses import dataclass

from common.serve import OPEN_ACCESS_HINT
from ops.admin import indexes, topics
from ops.launcher import clusters, elasticsearch, kafka
from ops.launcher.errors import LauncherError
from ops.launcher.kafka_sasl import ensure_scram_user
from ops.launcher.processes import ManagedProcess
from ops.launcher.services import app_services, every_app_service
from ops.settings import Settings


@dataclass(frozen=True)
class ProcessStatus:
    name: str
    pid: int | None
    healthy: bool
    log_file: str


def up(settings: Settings, *, apps: bool = True, servers: bool = True) -> None:
    """Start what is not running, in dependency order, and return once all are healthy. ``servers=False``: no local
    Kafka nor Elasticsearch, the processes use the configured clusters (which must answer)."""
    if open_apis := settings.open_apis():
        raise LauncherError(f"refusing to start the {' and the '.join(open_apis)} with no API keys: {OPEN_ACCESS_HINT}")
    if servers:
        _start_servers(settings)
    else:
        clusters.wait_reachable(settings)
        _say("kafka + elasticsearch", f"reachable ({settings.kafka_bootstrap}, {settings.elasticsearch_url})")
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


def _start_servers(settings: Settings) -> None:
    started_kafka = kafka.start(settings)
    started_es = elasticsearch.start(settings)
    _say("kafka", "starting" if started_kafka else "already running")
    _say("elasticsearch", "starting" if started_es else "already running")
    kafka.wait_healthy(settings)
    elasticsearch.wait_healthy(settings)
    ensure_scram_user(kafka.local_admin(settings), settings)
    _say("kafka + elasticsearch", "healthy")


def down(settings: Settings) -> list[str]:
    """Stop the apps first, then the local servers if they run (after ``up --external`` they do not). Returns the
    names of what was running."""
    ordered = [*(service.process(settings) for service in reversed(every_app_service())),
               elasticsearch.process(settings), kafka.process(settings)]
    return [managed.name for managed in ordered if managed.stop()]


def status(settings: Settings) -> list[ProcessStatus]:
    """Kafka and Elasticsearch are healthy when the configured clusters answer (local or not: no pid if not)."""
    checks: list[tuple[ManagedProcess, bool]] = [
        (kafka.process(settings), clusters.kafka_reachable(settings)),
        (elasticsearch.process(settings), clusters.elasticsearch_reachable(settings)),
        *((service.process(settings), service.healthy(settings)) for service in app_services(settings)),
    ]
    return [ProcessStatus(managed.name, managed.pid(), ok, str(managed.log_file)) for managed, ok in checks]


def all_processes(settings: Settings) -> list[ManagedProcess]:
    return [kafka.process(settings), elasticsearch.process(settings),
            *(service.process(settings) for service in app_services(settings))]


def _say(what: str, state: str) -> None:
    print(f"  {what:<24} {state}", flush=True)
