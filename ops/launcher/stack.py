"""`up`, `down` and `status` for the whole local system."""

from dataclasses import dataclass

from common.serve import OPEN_ACCESS_HINT
from ops.admin import indexes, topics
from ops.launcher import clusters, elasticsearch, kafka
from ops.launcher.errors import LauncherError
from ops.launcher.kafka_sasl import ensure_scram_user
from ops.launcher.nodes import (
    elasticsearch_nodes,
    every_elasticsearch_process,
    every_kafka_process,
    kafka_nodes,
)
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
    _say(_servers("kafka", settings.kafka_brokers, "brokers"), "starting" if started_kafka else "already running")
    _say(_servers("elasticsearch", settings.elasticsearch_nodes, "nodes"), "starting" if started_es else "already running")
    kafka.wait_healthy(settings)
    elasticsearch.wait_healthy(settings)
    ensure_scram_user(kafka.local_admin(settings), settings)
    _say("kafka + elasticsearch", "healthy")


def _servers(name: str, count: int, members: str) -> str:
    return name if count == 1 else f"{name} ({count} {members})"


def down(settings: Settings) -> list[str]:
    """Stop the apps first, then the local servers if they run (after ``up --external`` they do not), every broker
    and node a larger cluster may have left too. Returns the names of what was running."""
    ordered = [*(service.process(settings) for service in reversed(every_app_service())),
               *every_elasticsearch_process(settings), *every_kafka_process(settings)]
    return [managed.name for managed in ordered if managed.stop()]


def _kafka_checks(settings: Settings) -> list[tuple[ManagedProcess, bool]]:
    if settings.kafka_brokers == 1:
        return [(kafka.process(settings), clusters.kafka_reachable(settings))]
    return [(kafka.process(settings, node), kafka.node_healthy(settings, node)) for node in kafka_nodes(settings)]


def _elasticsearch_checks(settings: Settings) -> list[tuple[ManagedProcess, bool]]:
    if settings.elasticsearch_nodes == 1:
        return [(elasticsearch.process(settings), clusters.elasticsearch_reachable(settings))]
    return [(elasticsearch.process(settings, node), elasticsearch.node_healthy(settings, node))
            for node in elasticsearch_nodes(settings)]


def _server_checks(settings: Settings) -> list[tuple[ManagedProcess, bool]]:
    """A single broker or node is healthy when the configured cluster answers (local or not: no pid if not); the
    members of a local cluster each when they answer themselves. Members running beyond the configured count (a
    larger cluster left them) are listed too, as unhealthy."""
    checks = [*_kafka_checks(settings), *_elasticsearch_checks(settings)]
    listed = {managed.name for managed, _ in checks}
    leftovers = [managed for managed in (*every_kafka_process(settings), *every_elasticsearch_process(settings))
                 if managed.name not in listed and managed.pid() is not None]
    return [*checks, *((managed, False) for managed in leftovers)]


def status(settings: Settings) -> list[ProcessStatus]:
    checks = [*_server_checks(settings),
              *((service.process(settings), service.healthy(settings)) for service in app_services(settings))]
    return [ProcessStatus(managed.name, managed.pid(), ok, str(managed.log_file)) for managed, ok in checks]


def all_processes(settings: Settings) -> list[ManagedProcess]:
    return [*(kafka.process(settings, node) for node in kafka_nodes(settings)),
            *(elasticsearch.process(settings, node) for node in elasticsearch_nodes(settings)),
            *(service.process(settings) for service in app_services(settings))]


def _say(what: str, state: str) -> None:
    print(f"  {what:<24} {state}", flush=True)
