from collections.abc import Iterator

import httpx
import pytest

from ops.launcher import stack
from ops.settings import Settings


@pytest.fixture(scope="session")
def system(settings: Settings) -> Settings:
    """The whole local system, started by the project's own launcher if it is not running yet."""
    stack.up(settings)
    return settings


@pytest.fixture(scope="session")
def commands(system: Settings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{system.command_api_port}", timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def queries(system: Settings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{system.query_api_port}", timeout=30) as client:
        yield client
