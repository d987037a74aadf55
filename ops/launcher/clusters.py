"""The Kafka and Elasticsearch clusters the processes are configured to use, reached as they reach them (with the
settings' credentials): local ones the launcher started, or existing ones (``orderflow up --external``)."""

from confluent_kafka.admin import AdminClient
from elasticsearch import Elasticsearch

from common.clients import elasticsearch_options, kafka_options
from ops.launcher.errors import LauncherError
from ops.launcher.processes import wait_until
from ops.settings import Settings


def kafka_reachable(settings: Settings) -> bool:
    try:
        metadata = AdminClient({**kafka_options(settings), "log_level": 0}).list_topics(timeout=2)
    except Exception:  # noqa: BLE001 - unreachable, refused or not yet up: not reachable
        return False
    return bool(metadata.brokers)


def elasticsearch_reachable(settings: Settings) -> bool:
    try:
        with Elasticsearch(**elasticsearch_options(settings), request_timeout=3, max_retries=0) as es:
            es.cluster.health(wait_for_status="yellow", timeout="1s")
    except Exception:  # noqa: BLE001 - unreachable, refused, red or not yet up: not reachable
        return False
    return True


def wait_reachable(settings: Settings) -> None:
    """Wait up to ``startup_timeout_s`` until both clusters answer; raise naming the one that does not."""
    if not wait_until(lambda: kafka_reachable(settings), settings.startup_timeout_s, interval_s=1.0):
        raise _unreachable("Kafka", settings.kafka_bootstrap, settings)
    if not wait_until(lambda: elasticsearch_reachable(settings), settings.startup_timeout_s, interval_s=1.0):
        raise _unreachable("Elasticsearch", settings.elasticsearch_url, settings)


def _unreachable(name: str, where: str, settings: Settings) -> LauncherError:
    return LauncherError(f"{name} at {where} did not answer within {settings.startup_timeout_s:.0f} s with the "
                         "configured address and credentials (ORDERFLOW_* settings, see README: Connecting to "
                         "existing clusters)")
