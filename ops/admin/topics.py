"""Create the project's topics; the event logs are kept forever."""

from confluent_kafka.admin import AdminClient, NewTopic

from common.clients import kafka_options
from ops.launcher.errors import LauncherError
from ops.settings import Settings, min_insync_replicas_for
from schemas import topics

FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}
# Outcomes are looked up by command id: compaction keeps the latest outcome of each command.
COMPACTED = {"cleanup.policy": "compact"}
COMMANDS_RETENTION = {"retention.ms": str(7 * 24 * 3600 * 1000)}


def topic_config(name: str) -> dict[str, str]:
    if name in topics.EVENT_TOPICS or name in topics.DERIVED_TOPICS or name == topics.DEADLETTER:
        return FOREVER
    if name == topics.COMMAND_OUTCOMES:
        return COMPACTED
    return COMMANDS_RETENTION


def replication_config(replication_factor: int) -> dict[str, str]:
    """With copies on several brokers, a write is acknowledged once all but one hold it (the brokers' default too,
    made explicit for clusters the launcher did not start)."""
    if replication_factor == 1:
        return {}
    return {"min.insync.replicas": str(min_insync_replicas_for(replication_factor))}


def admin_client(settings: Settings) -> AdminClient:
    return AdminClient({**kafka_options(settings), "log_level": 3})


def ensure_topics(settings: Settings) -> list[str]:
    """Create the missing topics. Returns the names created."""
    admin = admin_client(settings)
    existing = set(admin.list_topics(timeout=10).topics)
    missing = [
        NewTopic(name, num_partitions=settings.partitions, replication_factor=settings.replication_factor,
                 config={**topic_config(name), **replication_config(settings.replication_factor)})
        for name in topics.ALL_TOPICS if name not in existing
    ]
    if not missing:
        return []
    for name, future in admin.create_topics(missing, operation_timeout=30).items():
        try:
            future.result()
        except Exception as exc:  # noqa: BLE001 - re-raised with the topic name
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise LauncherError(f"could not create topic {name}: {exc}") from exc
    return [topic.topic for topic in missing]
