import pytest

from ops.settings import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()
