"""Tests of a local cluster (``make test-cluster``), with the end-to-end tests' fixtures."""

import pytest

from ops.launcher import stack
from ops.settings import Settings
from tests.e2e.conftest import commands, queries, system  # noqa: F401 - fixtures shared with the end-to-end tests

BROKERS = 3
NODES = 2


@pytest.fixture(scope="session")
def cluster(settings: Settings) -> Settings:
    """The whole system on a local cluster of three brokers and two Elasticsearch nodes; skipped, before anything
    is started, with settings of a smaller one."""
    if settings.kafka_brokers < BROKERS or settings.elasticsearch_nodes < NODES:
        pytest.skip(f"needs a local cluster: ORDERFLOW_KAFKA_BROKERS={BROKERS} ORDERFLOW_ELASTICSEARCH_NODES={NODES} "
                    "(make test-cluster)")
    stack.up(settings)
    return settings
