"""A single-node KRaft Kafka broker on 127.0.0.1."""

import base64
import subprocess
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient

from ops.launcher.errors import LauncherError
from ops.launcher.fetch import kafka_libs, require_java
from ops.launcher.kafka_sasl import sasl_listeners, sasl_properties, sasl_protocols
from ops.launcher.processes import ManagedProcess, port_open, require_free_port, wait_until
from ops.settings import Settings

NAME = "kafka"


def process(settings: Settings) -> ManagedProcess:
    return ManagedProcess(NAME, settings)


def _home(settings: Settings) -> Path:
    return settings.data_dir / "kafka"


def server_properties(settings: Settings) -> str:
    data = _home(settings) / "data"
    advertised = [f"PLAINTEXT://127.0.0.1:{settings.kafka_port}", *sasl_listeners(settings)]
    protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT", *sasl_protocols(settings)]
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{settings.kafka_controller_port}",
        f"listeners={','.join([*advertised, f'CONTROLLER://127.0.0.1:{settings.kafka_controller_port}'])}",
        f"advertised.listeners={','.join(advertised)}",
        "controller.listener.names=CONTROLLER",
        f"listener.security.protocol.map={','.join(protocols)}",
        *sasl_properties(settings),
        f"log.dirs={data}",
        f"num.partitions={settings.partitions}",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "",
    ])


def log4j_properties(settings: Settings) -> str:
    return "\n".join([
        "log4j.rootLogger=INFO, file",
        "log4j.appender.file=org.apache.log4j.RollingFileAppender",
        f"log4j.appender.file.File={settings.log_dir / 'kafka-server.log'}",
        "log4j.appender.file.MaxFileSize=50MB",
        "log4j.appender.file.MaxBackupIndex=3",
        "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
        "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
        "log4j.logger.kafka.request.logger=WARN",
        "log4j.logger.state.change.logger=WARN",
        "",
    ])


def _write_config(settings: Settings) -> tuple[Path, Path]:
    home = _home(settings)
    home.mkdir(parents=True, exist_ok=True)
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    server = home / "server.properties"
    log4j = home / "log4j.properties"
    server.write_text(server_properties(settings))
    log4j.write_text(log4j_properties(settings))
    return server, log4j


def new_cluster_id() -> str:
    """A random cluster id as Kafka writes them (URL-safe base64 of a UUID), never starting with "-": the storage
    tool would read such an id as an option (Kafka's own ``Uuid.randomUuid`` draws again in that case too)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _format_storage(java: str, classpath: str, server: Path, settings: Settings) -> None:
    if (_home(settings) / "data" / "meta.properties").exists():
        return
    cluster_id = new_cluster_id()
    result = subprocess.run(
        [java, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(server)],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise LauncherError(f"formatting Kafka storage failed: {result.stderr.strip().splitlines()[-1:]}")


def start(settings: Settings) -> bool:
    """Start the broker unless it already runs. Returns whether it was started now."""
    managed = process(settings)
    if managed.pid() is not None:
        return False
    require_free_port(settings.kafka_port, "Kafka", "ORDERFLOW_KAFKA_PORT")
    require_free_port(settings.kafka_controller_port, "the Kafka controller", "ORDERFLOW_KAFKA_CONTROLLER_PORT")
    if settings.kafka_sasl_port:
        require_free_port(settings.kafka_sasl_port, "Kafka's SASL listener", "ORDERFLOW_KAFKA_SASL_PORT")
    java = require_java(settings)
    classpath = str(kafka_libs(settings) / "*")
    server, log4j = _write_config(settings)
    _format_storage(java, classpath, server, settings)
    managed.start([
        java, f"-Xms{settings.kafka_heap}", f"-Xmx{settings.kafka_heap}", "-XX:+UseG1GC",
        f"-Dlog4j.configuration=file:{log4j}", f"-Dkafka.logs.dir={settings.log_dir}",
        "-cp", classpath, "kafka.Kafka", str(server),
    ])
    return True


def local_admin(settings: Settings) -> AdminClient:
    """A client of the local broker's own PLAINTEXT listener, whatever the processes are configured to use."""
    return AdminClient({"bootstrap.servers": f"127.0.0.1:{settings.kafka_port}", "log_level": 0})


def healthy(settings: Settings) -> bool:
    """Whether the local broker answers on its PLAINTEXT listener."""
    if not port_open(settings.kafka_port):
        return False
    try:
        metadata = local_admin(settings).list_topics(timeout=2)
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False
    return bool(metadata.brokers)


def wait_healthy(settings: Settings) -> None:
    if not wait_until(lambda: healthy(settings), settings.startup_timeout_s, interval_s=1.0):
        raise LauncherError(f"Kafka did not become healthy: see {process(settings).log_file}")
