"""The local KRaft Kafka on 127.0.0.1: one broker, or a cluster whose brokers are all controllers of one quorum."""

import base64
import subprocess
import uuid
from functools import partial
from pathlib import Path

from confluent_kafka.admin import AdminClient

from ops.launcher.errors import LauncherError
from ops.launcher.fetch import kafka_libs, require_java
from ops.launcher.kafka_sasl import sasl_listeners, sasl_properties, sasl_protocols
from ops.launcher.nodes import KafkaNode, kafka_nodes
from ops.launcher.processes import ManagedProcess, port_open, require_free_port, wait_until
from ops.settings import KAFKA_PORT_STEP, Settings, min_insync_replicas_for, replication_factor_for


def process(settings: Settings, node: KafkaNode | None = None) -> ManagedProcess:
    """``node``'s process; the first (or only) broker's by default."""
    return ManagedProcess((node or kafka_nodes(settings)[0]).name, settings)


def _replication_properties(brokers: int) -> list[str]:
    """The internal topics' replication, and with several brokers the default of every topic: each partition on up
    to three brokers, a write acknowledged once all but one copy hold it."""
    factor = replication_factor_for(brokers)
    in_sync = min_insync_replicas_for(factor)
    shared = [f"offsets.topic.replication.factor={factor}", f"transaction.state.log.replication.factor={factor}",
              f"transaction.state.log.min.isr={in_sync}"]
    if brokers == 1:
        return shared
    return [*shared, f"default.replication.factor={factor}", f"min.insync.replicas={in_sync}", *_shared_host_properties()]


def _shared_host_properties() -> list[str]:
    """The brokers of a local cluster share one host, where a broker is lost by its process ending rather than by
    the network: the controller fences a silent broker after 4 s instead of 9, so that its partitions have new
    leaders before a command's publish timeout (ORDERFLOW_PUBLISH_TIMEOUT_S, 5 s) runs out. They also share its
    memory, with small heaps: the log cleaner's buffer is 32 MiB instead of 128 (half of a 256m heap)."""
    return ["broker.session.timeout.ms=4000", "broker.heartbeat.interval.ms=1000",
            f"log.cleaner.dedupe.buffer.size={32 * 1024 * 1024}"]


def server_properties(settings: Settings, node: KafkaNode | None = None) -> str:
    """``node``'s server.properties (the first or only broker's by default)."""
    node = node or kafka_nodes(settings)[0]
    voters = ",".join(f"{voter.node_id}@127.0.0.1:{voter.controller_port}" for voter in kafka_nodes(settings))
    advertised = [f"PLAINTEXT://127.0.0.1:{node.port}", *sasl_listeners(node.sasl_port)]
    protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT", *sasl_protocols(node.sasl_port)]
    return "\n".join([
        "process.roles=broker,controller",
        f"node.id={node.node_id}",
        f"controller.quorum.voters={voters}",
        f"listeners={','.join([*advertised, f'CONTROLLER://127.0.0.1:{node.controller_port}'])}",
        f"advertised.listeners={','.join(advertised)}",
        "controller.listener.names=CONTROLLER",
        f"listener.security.protocol.map={','.join(protocols)}",
        *sasl_properties(node.sasl_port),
        f"log.dirs={node.home(settings) / 'data'}",
        f"num.partitions={settings.partitions}",
        *_replication_properties(settings.kafka_brokers),
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "",
    ])


def log4j_properties(settings: Settings, node: KafkaNode | None = None) -> str:
    node = node or kafka_nodes(settings)[0]
    return "\n".join([
        "log4j.rootLogger=INFO, file",
        "log4j.appender.file=org.apache.log4j.RollingFileAppender",
        f"log4j.appender.file.File={settings.log_dir / f'{node.name}-server.log'}",
        "log4j.appender.file.MaxFileSize=50MB",
        "log4j.appender.file.MaxBackupIndex=3",
        "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
        "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
        "log4j.logger.kafka.request.logger=WARN",
        "log4j.logger.state.change.logger=WARN",
        "",
    ])


def _write_config(settings: Settings, node: KafkaNode) -> tuple[Path, Path]:
    home = node.home(settings)
    home.mkdir(parents=True, exist_ok=True)
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    server = home / "server.properties"
    log4j = home / "log4j.properties"
    server.write_text(server_properties(settings, node))
    log4j.write_text(log4j_properties(settings, node))
    return server, log4j


def new_cluster_id() -> str:
    """A random cluster id as Kafka writes them (URL-safe base64 of a UUID), never starting with "-": the storage
    tool would read such an id as an option (Kafka's own ``Uuid.randomUuid`` draws again in that case too)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _meta_properties(settings: Settings, node: KafkaNode) -> Path:
    return node.home(settings) / "data" / "meta.properties"


def cluster_id(settings: Settings) -> str:
    """The id to format a broker's storage with: the one a broker of the cluster was formatted with, else a new one
    (every broker of one cluster must have the same)."""
    for node in kafka_nodes(settings):
        meta = _meta_properties(settings, node)
        lines = meta.read_text().splitlines() if meta.exists() else []
        for line in lines:
            if line.startswith("cluster.id="):
                return line.partition("=")[2].strip()
    return new_cluster_id()


def _format_storage(java: str, classpath: str, server: Path, settings: Settings, node: KafkaNode) -> None:
    if _meta_properties(settings, node).exists():
        return
    result = subprocess.run(
        [java, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", cluster_id(settings), "-c", str(server)],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise LauncherError(f"formatting Kafka storage failed: {result.stderr.strip().splitlines()[-1:]}")


def _require_free_ports(node: KafkaNode) -> None:
    """Each port's setting is named; a later broker's port is that setting plus its step."""
    shift = "" if node.node_id == 1 else f" (broker {node.node_id} adds {KAFKA_PORT_STEP * (node.node_id - 1)})"
    require_free_port(node.port, "Kafka", f"ORDERFLOW_KAFKA_PORT{shift}")
    require_free_port(node.controller_port, "the Kafka controller", f"ORDERFLOW_KAFKA_CONTROLLER_PORT{shift}")
    if node.sasl_port:
        require_free_port(node.sasl_port, "Kafka's SASL listener", f"ORDERFLOW_KAFKA_SASL_PORT{shift}")


def start(settings: Settings) -> bool:
    """Start every broker that does not run. Returns whether one was started now."""
    stopped = [node for node in kafka_nodes(settings) if process(settings, node).pid() is None]
    for node in stopped:
        _require_free_ports(node)
    if not stopped:
        return False
    java = require_java(settings)
    classpath = str(kafka_libs(settings) / "*")
    for node in stopped:
        server, log4j = _write_config(settings, node)
        _format_storage(java, classpath, server, settings, node)
        process(settings, node).start([
            java, f"-Xms{settings.kafka_heap}", f"-Xmx{settings.kafka_heap}", "-XX:+UseG1GC",
            f"-Dlog4j.configuration=file:{log4j}", f"-Dkafka.logs.dir={settings.log_dir}",
            "-cp", classpath, "kafka.Kafka", str(server),
        ])
    return True


def local_admin(settings: Settings) -> AdminClient:
    """A client of the local brokers' own PLAINTEXT listeners, whatever the processes are configured to use."""
    bootstrap = ",".join(f"127.0.0.1:{node.port}" for node in kafka_nodes(settings))
    return AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})


def node_healthy(settings: Settings, node: KafkaNode) -> bool:
    """Whether the broker answers on its PLAINTEXT listener, as a broker of the cluster."""
    if not port_open(node.port):
        return False
    try:
        metadata = AdminClient({"bootstrap.servers": f"127.0.0.1:{node.port}", "log_level": 0}).list_topics(timeout=2)
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False
    return node.node_id in metadata.brokers


def healthy(settings: Settings) -> bool:
    """Whether every local broker answers."""
    return all(node_healthy(settings, node) for node in kafka_nodes(settings))


def wait_healthy(settings: Settings) -> None:
    for node in kafka_nodes(settings):
        if not wait_until(partial(node_healthy, settings, node), settings.startup_timeout_s, interval_s=1.0):
            raise LauncherError(f"Kafka did not become healthy: see {process(settings, node).log_file}")
