"""The launcher with existing clusters (`up --external`) and the local broker's optional SASL listener."""

from concurrent.futures import Future
from typing import Any

import pytest

from common.clients import kafka_options
from ops import cli
from ops.admin import indexes, topics
from ops.launcher import clusters, elasticsearch, kafka, kafka_sasl, stack
from ops.launcher.errors import LauncherError
from ops.launcher.kafka_sasl import sasl_client_settings
from ops.settings import Settings


def settings(**changes: Any) -> Settings:
    return Settings(_env_file=None, **changes)


def properties(text: str) -> dict[str, str]:
    lines = [line.split("=", 1) for line in text.splitlines() if line]
    keys = [key for key, _ in lines]
    assert len(keys) == len(set(keys)), "every property once"
    return {key: value for key, value in lines}


def test_without_the_port_the_broker_has_plaintext_and_controller_listeners_only() -> None:
    server = properties(kafka.server_properties(settings()))
    assert server["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert server["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert not [key for key in server if "sasl" in key]


def test_the_sasl_port_adds_a_scram_listener_on_loopback() -> None:
    server = properties(kafka.server_properties(settings(kafka_sasl_port=9094)))
    assert server["listeners"] == ("PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094,"
                                   "CONTROLLER://127.0.0.1:9093")
    assert server["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094"
    assert server["listener.security.protocol.map"].split(",")[-1] == "SASL_PLAINTEXT:SASL_PLAINTEXT"
    assert server["listener.name.sasl_plaintext.sasl.enabled.mechanisms"] == "SCRAM-SHA-256,SCRAM-SHA-512"
    for mechanism in ("scram-sha-256", "scram-sha-512"):
        module = server[f"listener.name.sasl_plaintext.{mechanism}.sasl.jaas.config"]
        assert module == "org.apache.kafka.common.security.scram.ScramLoginModule required;"


def test_processes_reach_the_sasl_listener_as_its_scram_user() -> None:
    local = settings(kafka_sasl_port=9094, kafka_sasl_port_username="u", kafka_sasl_port_password="p")
    for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        options = kafka_options(sasl_client_settings(local, mechanism))
        assert options == {"bootstrap.servers": "127.0.0.1:9094", "security.protocol": "SASL_PLAINTEXT",
                           "sasl.mechanism": mechanism, "sasl.username": "u", "sasl.password": "p"}
    env = sasl_client_settings(local).as_env()
    assert env["ORDERFLOW_KAFKA_PASSWORD"] == "p" and env["ORDERFLOW_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"


def test_up_and_servers_only_and_external_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["up", "--external", "--servers-only"])
    assert "not allowed with argument" in capsys.readouterr().err


class Calls:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[str] = []
        for module, name in ((kafka, "start"), (elasticsearch, "start"), (kafka, "wait_healthy"),
                             (elasticsearch, "wait_healthy"), (clusters, "wait_reachable"),
                             (topics, "ensure_topics"), (indexes, "ensure_indexes")):
            monkeypatch.setattr(module, name, self.recorder(name))
        monkeypatch.setattr(stack, "ensure_scram_user", self.recorder("ensure_scram_user"))
        monkeypatch.setattr(kafka, "local_admin", lambda settings: None)
        monkeypatch.setattr(stack, "app_services", lambda settings: ())

    def recorder(self, name: str) -> Any:
        def record(*args: object, **kwargs: object) -> bool:
            self.made.append(name)
            return True
        return record


def test_external_starts_no_server_and_sets_up_topics_and_indexes_once_the_clusters_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = Calls(monkeypatch)
    cli.main(["up", "--external"])
    assert calls.made == ["wait_reachable", "ensure_topics", "ensure_indexes"]


def test_servers_only_starts_the_local_servers_and_the_scram_user(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    stack.up(settings(), apps=False)
    assert calls.made == ["start", "start", "wait_healthy", "wait_healthy", "ensure_scram_user",
                          "ensure_topics", "ensure_indexes"]


def test_status_reports_the_configured_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clusters, "kafka_reachable", lambda settings: True)
    monkeypatch.setattr(clusters, "elasticsearch_reachable", lambda settings: False)
    monkeypatch.setattr(stack, "app_services", lambda settings: ())
    rows = {row.name: row for row in stack.status(settings(data_dir="/nonexistent/orderflow"))}
    assert rows["kafka"].healthy and rows["kafka"].pid is None
    assert not rows["elasticsearch"].healthy


def test_external_clusters_that_do_not_answer_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clusters, "kafka_reachable", lambda settings: False)
    with pytest.raises(LauncherError, match="Kafka at kafka.example:9093 did not answer"):
        clusters.wait_reachable(settings(kafka_bootstrap="kafka.example:9093", startup_timeout_s=0.01))


class FakeAdmin:
    def __init__(self) -> None:
        self.upserts: list[Any] = []

    def alter_user_scram_credentials(self, upserts: list[Any]) -> dict[str, Future[None]]:
        """As the broker does, refuses a request that alters one user's credentials twice."""
        self.upserts += upserts
        done: Future[None] = Future()
        if len({upsert.user for upsert in upserts}) < len(upserts):
            done.set_exception(RuntimeError("A user credential cannot be altered twice in the same request"))
        else:
            done.set_result(None)
        return {upserts[0].user: done}


def test_the_scram_user_is_created_for_both_mechanisms_once_the_listener_is_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = FakeAdmin()
    # The listener accepts a mechanism once its credential was written.
    monkeypatch.setattr(kafka_sasl, "_authenticates", lambda settings, mechanism: any(
        upsert.scram_credential_info.mechanism.name == mechanism.replace("-", "_") for upsert in admin.upserts))
    kafka_sasl.ensure_scram_user(admin, settings())  # type: ignore[arg-type]  # a fake admin client
    assert admin.upserts == []
    kafka_sasl.ensure_scram_user(admin, settings(kafka_sasl_port=9094, kafka_sasl_port_username="u",  # type: ignore[arg-type]
                                                 kafka_sasl_port_password="p"))
    assert {(upsert.user, upsert.scram_credential_info.mechanism.name, upsert.password) for upsert in admin.upserts} == {
        ("u", "SCRAM_SHA_256", b"p"), ("u", "SCRAM_SHA_512", b"p")}


def test_a_user_the_listener_already_accepts_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka_sasl, "_authenticates", lambda settings, mechanism: True)
    admin = FakeAdmin()
    kafka_sasl.ensure_scram_user(admin, settings(kafka_sasl_port=9094))  # type: ignore[arg-type]  # a fake admin client
    assert admin.upserts == []
