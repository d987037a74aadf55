from pathlib import Path

import pytest
from pydantic import SecretStr

from common.settings import Settings


def test_settings_read_the_orderflow_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_KAFKA_PORT", "19092")
    monkeypatch.setenv("ORDERFLOW_DATA_DIR", "/tmp/somewhere")
    settings = Settings()
    assert settings.kafka_port == 19092 and settings.data_dir == Path("/tmp/somewhere")


def test_as_env_gives_child_processes_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Settings(partitions=5, api_keys={"shop": SecretStr("s3cret")}, java_home=None)
    for name, value in original.as_env().items():
        monkeypatch.setenv(name, value)
    assert Settings() == original
