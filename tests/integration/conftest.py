import pytest

from ops.launcher import stack
from ops.settings import Settings


@pytest.fixture(scope="session")
def servers(settings: Settings) -> Settings:
    """Kafka and Elasticsearch (plus topics and indexes), started by the project's launcher if needed."""
    stack.up(settings, apps=False)
    return settings
