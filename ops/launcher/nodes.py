"""The local Kafka brokers and Elasticsearch nodes: their names, folders and ports (scheme in ``ops.settings``).

A single broker or node keeps the names it always had (``kafka``, ``elasticsearch``); the members of a cluster are
numbered from 1 (``kafka-1``, ``elasticsearch-2``), each with a folder, pid file and log of its own.
"""

from dataclasses import dataclass
from pathlib import Path

from ops.launcher.processes import ManagedProcess
from ops.settings import (
    ELASTICSEARCH_TRANSPORT_OFFSET,
    KAFKA_PORT_STEP,
    MOST_ELASTICSEARCH_NODES,
    MOST_KAFKA_BROKERS,
    Settings,
)

KAFKA = "kafka"
ELASTICSEARCH = "elasticsearch"


@dataclass(frozen=True)
class KafkaNode:
    """One broker, also a KRaft controller; ``node_id`` counts from 1."""

    node_id: int
    name: str
    port: int
    controller_port: int
    sasl_port: int  # 0: no SASL listener

    def home(self, settings: Settings) -> Path:
        return settings.data_dir / self.name


@dataclass(frozen=True)
class ElasticsearchNode:
    """One node; ``transport_port`` is ``None`` for a single node, which keeps to itself."""

    number: int
    name: str
    http_port: int
    transport_port: int | None

    def home(self, settings: Settings) -> Path:
        return settings.data_dir / self.name


def _member_name(base: str, number: int, count: int) -> str:
    return base if count == 1 else f"{base}-{number}"


def kafka_node(settings: Settings, index: int) -> KafkaNode:
    step = KAFKA_PORT_STEP * index
    return KafkaNode(index + 1, _member_name(KAFKA, index + 1, settings.kafka_brokers), settings.kafka_port + step,
                     settings.kafka_controller_port + step, settings.kafka_sasl_port + step if settings.kafka_sasl_port else 0)


def kafka_nodes(settings: Settings) -> list[KafkaNode]:
    """The brokers as configured (``kafka_brokers``)."""
    return [kafka_node(settings, index) for index in range(settings.kafka_brokers)]


def elasticsearch_node(settings: Settings, index: int) -> ElasticsearchNode:
    count = settings.elasticsearch_nodes
    transport = settings.elasticsearch_port + ELASTICSEARCH_TRANSPORT_OFFSET + index if count > 1 else None
    return ElasticsearchNode(index + 1, _member_name(ELASTICSEARCH, index + 1, count),
                             settings.elasticsearch_port + index, transport)


def elasticsearch_nodes(settings: Settings) -> list[ElasticsearchNode]:
    """The nodes as configured (``elasticsearch_nodes``)."""
    return [elasticsearch_node(settings, index) for index in range(settings.elasticsearch_nodes)]


def every_process_name(base: str, most: int) -> list[str]:
    """Every name a member may have had: ``down`` and ``status`` find those a larger cluster left running."""
    return [base, *(f"{base}-{number}" for number in range(1, most + 1))]


def every_kafka_process(settings: Settings) -> list[ManagedProcess]:
    return [ManagedProcess(name, settings) for name in every_process_name(KAFKA, MOST_KAFKA_BROKERS)]


def every_elasticsearch_process(settings: Settings) -> list[ManagedProcess]:
    return [ManagedProcess(name, settings) for name in every_process_name(ELASTICSEARCH, MOST_ELASTICSEARCH_NODES)]
