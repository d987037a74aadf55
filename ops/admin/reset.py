"""Rebuilding the worker's view tables from the event log.

For a new projection version: the view tables are dropped (their changelog topics and local
folders) and the projectors' consumer offsets go back to offset 0, so the worker folds every
event again on start. Aggregate tables are never touched here: a lost state folder needs no
reset at all, the worker restores every table from its changelog topic when it starts.
"""

import shutil
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from ops.admin.topics import admin_client
from ops.launcher.errors import LauncherError
from ops.settings import Settings
from streams.projection_spec import ProjectionSpec


def changelog_topic(settings: Settings, table: str) -> str:
    return f"{settings.worker_id}-{table}-changelog"


def table_folders(settings: Settings, table: str) -> list[str]:
    """The store's folders of every worker process on this host (``<data>/worker/stores/<index>/<store>``)."""
    stores = settings.data_dir / "worker" / "stores"
    return [str(path) for path in stores.glob(f"*/{table}")] if stores.exists() else []


def reset_views(settings: Settings, specs: list[ProjectionSpec[Any]], say: Callable[[str], None] = print) -> None:
    """The worker must be stopped: Kafka refuses to move the offsets of a group with members."""
    admin = admin_client(settings)
    tables = [table for spec in specs for table in spec.table_names]
    _delete_topics(admin, [changelog_topic(settings, table) for table in tables], say)
    for table in tables:
        for folder in table_folders(settings, table):
            shutil.rmtree(folder)
        say(f"removed the local folders of table {table}")
    topics = sorted({topic for spec in specs for topic in spec.topics})
    _rewind_group(admin, settings, topics)
    say(f"group {settings.worker_id} reads {', '.join(topics)} from offset 0 again")


def _delete_topics(admin: AdminClient, names: list[str], say: Callable[[str], None]) -> None:
    existing = set(admin.list_topics(timeout=10).topics)
    doomed = [name for name in names if name in existing]
    if doomed:
        for name, future in admin.delete_topics(doomed, operation_timeout=30).items():
            future.result()
            say(f"deleted changelog topic {name}")
    deadline = time.monotonic() + 30
    while set(doomed) & set(admin.list_topics(timeout=10).topics):
        if time.monotonic() > deadline:
            raise LauncherError(f"Kafka did not finish deleting {', '.join(doomed)}")
        time.sleep(0.5)


def _rewind_group(admin: AdminClient, settings: Settings, topics: list[str]) -> None:
    metadata = admin.list_topics(timeout=10).topics
    partitions = [TopicPartition(topic, partition, 0) for topic in topics for partition in metadata[topic].partitions]
    request = ConsumerGroupTopicPartitions(settings.worker_id, partitions)
    try:
        admin.alter_consumer_group_offsets([request])[settings.worker_id].result()
    except Exception as error:  # noqa: BLE001 - Kafka's reason is the message
        raise LauncherError(
            f"could not move the offsets of group {settings.worker_id} (is a worker running?): {error}") from error
