from pathlib import Path

import pytest
from pydantic import SecretStr

from common.serve import serve
from common.settings import PORT_FIELDS, TEST_PORT_OFFSET, CommonSettings
from ops.launcher import stack
from ops.launcher.errors import LauncherError
from ops.settings import Settings
from producers.settings import CommandApiSettings
from query_api.settings import QueryApiSettings
from streams.settings import WorkerSettings


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


def test_the_test_profile_moves_every_port_and_the_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*PORT_FIELDS, "data_dir", "kafka_bootstrap", "elasticsearch_url"]:
        monkeypatch.delenv(f"ORDERFLOW_{name.upper()}", raising=False)
    system, test = Settings(profile="system"), Settings(profile="test")
    for name in PORT_FIELDS:
        assert getattr(test, name) == getattr(system, name) + TEST_PORT_OFFSET
    assert test.data_dir == system.data_dir.with_name(system.data_dir.name + "-test")
    assert test.kafka_bootstrap == f"127.0.0.1:{test.kafka_port}"
    assert test.elasticsearch_url == f"http://127.0.0.1:{test.elasticsearch_port}"


def test_settings_given_explicitly_win_over_the_test_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_PROFILE", "test")
    monkeypatch.setenv("ORDERFLOW_DATA_DIR", "/tmp/ci-data")
    monkeypatch.setenv("ORDERFLOW_QUERY_API_PORT", "28001")
    settings = Settings()
    assert settings.data_dir == Path("/tmp/ci-data") and settings.query_api_port == 28001
    assert settings.command_api_port == 8000 + TEST_PORT_OFFSET


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_apis_need_no_keys(host: str) -> None:
    settings = Settings(command_api_host=host, query_api_host=host)
    assert not settings.open_to_all(host) and settings.open_apis() == []


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "orders.example.com"])
def test_an_api_beyond_loopback_without_keys_is_refused(host: str) -> None:
    settings = Settings(command_api_host=host)
    assert settings.open_to_all(host) and settings.open_apis() == [f"command API on {host}"]
    with pytest.raises(SystemExit, match="no API keys"):
        serve("producers.app:create_app", host, 0, settings)


def test_keys_or_auth_off_let_an_api_listen_beyond_loopback() -> None:
    assert Settings(query_api_host="0.0.0.0", api_keys={"shop": SecretStr("k")}).open_apis() == []
    assert Settings(query_api_host="0.0.0.0", auth="off").open_apis() == []


def test_the_launcher_refuses_open_apis_before_starting_anything(tmp_path: Path) -> None:
    settings = Settings(query_api_host="0.0.0.0", data_dir=tmp_path)
    with pytest.raises(LauncherError, match="query API on 0.0.0.0 with no API keys.*ORDERFLOW_AUTH=off"):
        stack.up(settings)
    assert not any(tmp_path.iterdir())


PROCESS_SETTINGS = (CommandApiSettings, QueryApiSettings, WorkerSettings)


@pytest.mark.parametrize("process_settings", PROCESS_SETTINGS)
def test_each_process_reads_its_settings_from_what_the_launcher_hands_it(
    monkeypatch: pytest.MonkeyPatch, process_settings: type[CommonSettings],
) -> None:
    launcher = Settings(partitions=5, api_keys={"shop": SecretStr("s3cret")}, worker_batch_max_records=7,
                        kafka_security_protocol="SASL_PLAINTEXT", kafka_username="u", kafka_password=SecretStr("p"))
    for name, value in launcher.as_env().items():
        monkeypatch.setenv(name, value)
    process = process_settings()
    assert set(process_settings.model_fields) < set(Settings.model_fields)
    assert {name: getattr(process, name) for name in process_settings.model_fields} == {
        name: getattr(launcher, name) for name in process_settings.model_fields}


def test_a_process_holds_only_the_settings_it_reads() -> None:
    launcher_only = {"cache_dir", "kafka_version", "kafka_port", "elasticsearch_heap", "java_home", "workers", "partitions"}
    for process_settings in PROCESS_SETTINGS:
        assert not launcher_only & set(process_settings.model_fields), process_settings.__name__
    assert not {"api_keys", "auth", "command_api_port", "query_api_port"} & set(WorkerSettings.model_fields)
    assert not {"worker_loops", "worker_batch_max_records", "worker_web_port"} & set(CommandApiSettings.model_fields)
    assert not {"publish_timeout_s", "max_body_bytes"} & set(QueryApiSettings.model_fields)
