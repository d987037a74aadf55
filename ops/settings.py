"""The settings of the launcher and the tools: every process's, and the local servers'."""

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator

from common.settings import DEFAULT_PORTS, test_profile_defaults
from producers.settings import CommandApiSettings
from query_api.settings import QueryApiSettings
from streams.settings import WorkerSettings

# A local cluster's ports: broker i (from 0) listens on kafka_port + 10·i, with its controller on
# kafka_controller_port + 10·i and its SASL listener (if any) on kafka_sasl_port + 10·i; Elasticsearch node j (from 0)
# answers HTTP on elasticsearch_port + j and talks to the other nodes on elasticsearch_port + 100 + j. The step of 10
# keeps the brokers clear of the controller (+1) and SASL (+2) ports next to each broker's own.
KAFKA_PORT_STEP = 10
ELASTICSEARCH_TRANSPORT_OFFSET = 100
MOST_KAFKA_BROKERS = 5
MOST_ELASTICSEARCH_NODES = 5
# What a local cluster of that many brokers replicates each partition to, and how many copies a write needs.
LARGEST_REPLICATION_FACTOR = 3


def replication_factor_for(brokers: int) -> int:
    return min(brokers, LARGEST_REPLICATION_FACTOR)


def min_insync_replicas_for(replication_factor: int) -> int:
    """A write is acknowledged once all but one copy hold it: one broker may be lost without losing or refusing it."""
    return max(replication_factor - 1, 1)


def _default_cache_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/cache/orderflow")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "orderflow"


class Settings(CommandApiSettings, QueryApiSettings, WorkerSettings):
    """What ``orderflow`` reads: the local Kafka and Elasticsearch it starts, how many workers, and each process's
    settings, handed to the process through ``as_env``."""

    cache_dir: Path = Field(default_factory=_default_cache_dir,
                            description="Downloaded Kafka and Elasticsearch, reused by later runs")
    kafka_version: str = Field("3.9.1", description="Apache Kafka broker version fetched from Maven Central")
    elasticsearch_version: str = Field("8.19.21", description="Elasticsearch integ-test-zip version fetched from Maven Central")
    kafka_port: int = Field(DEFAULT_PORTS["kafka_port"], description="Kafka broker port on 127.0.0.1")
    kafka_controller_port: int = Field(DEFAULT_PORTS["kafka_controller_port"], description="KRaft controller port on 127.0.0.1")
    kafka_sasl_port: int = Field(0, ge=0, description="If not 0: the local broker also listens on this port with "
                                                      "SASL_PLAINTEXT (SCRAM-SHA-256 and -512) for the user below")
    kafka_sasl_port_username: str = Field("orderflow", description="SCRAM user the local broker creates")
    kafka_sasl_port_password: SecretStr = Field(SecretStr("orderflow-local"),
                                                description="Password of the local broker's SCRAM user")
    elasticsearch_port: int = Field(DEFAULT_PORTS["elasticsearch_port"], description="Elasticsearch HTTP port on 127.0.0.1")
    kafka_brokers: int = Field(1, ge=1, le=MOST_KAFKA_BROKERS,
                               description="Local Kafka brokers (each also a KRaft controller of one quorum); with more "
                                           "than one, broker i listens on ORDERFLOW_KAFKA_PORT + 10·i, the replication "
                                           "factor defaults to min(brokers, 3) and the bootstrap to every broker")
    elasticsearch_nodes: int = Field(1, ge=1, le=MOST_ELASTICSEARCH_NODES,
                                     description="Local Elasticsearch nodes of one cluster; node j answers on "
                                                 "ORDERFLOW_ELASTICSEARCH_PORT + j, the URL defaults to every node")
    index_replicas: int = Field(0, ge=0, description="Replicas of each read-model index the launcher creates "
                                                     "(default: 1 with more than one local Elasticsearch node)")
    kafka_heap: str = Field("512m", description="Kafka JVM heap")
    elasticsearch_heap: str = Field("1g", description="Elasticsearch JVM heap")
    elasticsearch_user: str = Field("orderflow-es",
                                    description="Non-root user that runs Elasticsearch when the launcher runs as root")
    java_home: Path | None = Field(None, description="JDK for Kafka and Elasticsearch (default: the java on PATH)")
    startup_timeout_s: float = Field(180.0, description="How long `up` waits for each server to become healthy")
    partitions: int = Field(6, ge=1, description="Partitions of every topic (several workers share them)")
    workers: int = Field(1, ge=1, le=16, description="Worker processes `orderflow up` starts, in one consumer group "
                                                  "(each takes a share of the partitions)")
    worker_process_per_loop: bool = Field(
        True, description="`orderflow up` runs each worker as two processes, the deciders' and the projectors' "
                          "(each loop gets a core of its own instead of sharing one interpreter)")

    @model_validator(mode="before")
    @classmethod
    def _local_cluster_defaults(cls, data: Any) -> Any:
        return with_local_cluster_defaults(data) if isinstance(data, dict) else data

    def kafka_broker_ports(self) -> list[int]:
        return [self.kafka_port + KAFKA_PORT_STEP * index for index in range(self.kafka_brokers)]

    def elasticsearch_http_ports(self) -> list[int]:
        return [self.elasticsearch_port + index for index in range(self.elasticsearch_nodes)]

    def java_bin(self) -> str:
        return str(self.java_home / "bin" / "java") if self.java_home else "java"


def with_local_cluster_defaults(given: dict[str, Any]) -> dict[str, Any]:
    """``given`` with what a local cluster of more than one broker or node changes: the replication factor and the
    index replicas when not given, and a bootstrap and URL that list every broker and node instead of the single
    local broker's or node's address that the defaults and the test profile give."""
    known = {**DEFAULT_PORTS, **(test_profile_defaults() if given.get("profile") == "test" else {}), **given}
    brokers, nodes = int(known.get("kafka_brokers", 1)), int(known.get("elasticsearch_nodes", 1))
    kafka_port, es_port = int(known["kafka_port"]), int(known["elasticsearch_port"])
    result = dict(given)
    if brokers > 1:
        result.setdefault("replication_factor", replication_factor_for(brokers))
        if given.get("kafka_bootstrap") in (None, f"127.0.0.1:{kafka_port}"):
            result["kafka_bootstrap"] = ",".join(
                f"127.0.0.1:{kafka_port + KAFKA_PORT_STEP * index}" for index in range(brokers))
    if nodes > 1:
        result.setdefault("index_replicas", 1)
        if given.get("elasticsearch_url") in (None, f"http://127.0.0.1:{es_port}"):
            result["elasticsearch_url"] = ",".join(f"http://127.0.0.1:{es_port + index}" for index in range(nodes))
    return result
