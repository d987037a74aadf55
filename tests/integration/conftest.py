from collections.abc import Iterator

import pytest
from confluent_kafka.admin import NewTopic

from ops.admin.topics import admin_client
from ops.launcher import stack
from ops.settings import Settings
from tests.support import unique_id


@pytest.fixture(scope="session")
def servers(settings: Settings) -> Settings:
    """Kafka and Elasticsearch (plus topics and indexes), started by the project's launcher if needed."""
    stack.up(settings, apps=False)
    return settings


@pytest.fixture
def topic(servers: Settings) -> Iterator[str]:
    """A topic of the test's own (3 partitions), deleted afterwards."""
    admin = admin_client(servers)
    name = unique_id("test-topic")
    admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)])[name].result(timeout=30)
    yield name
    admin.delete_topics([name], operation_timeout=30)[name].result(timeout=30)
