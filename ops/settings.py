"""The settings of the launcher and the tools: every process's, and the local servers'."""

import os
from pathlib import Path

from pydantic import Field, SecretStr

from common.settings import DEFAULT_PORTS
from producers.settings import CommandApiSettings
from query_api.settings import QueryApiSettings
from streams.settings import WorkerSettings


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

    def java_bin(self) -> str:
        return str(self.java_home / "bin" / "java") if self.java_home else "java"
