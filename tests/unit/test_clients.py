"""The client options every process and tool builds its clients from (common/clients.py), for each combination of
the security settings, and the settings' checks of those combinations."""

import logging
import ssl
from pathlib import Path
from typing import Any

import certifi
import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch
from faust.auth import SASLCredentials, SSLCredentials
from faust.types.auth import AuthProtocol, SASLMechanism
from pydantic import SecretStr, ValidationError

from common.clients import elasticsearch_options, faust_broker_credentials, kafka_options, kafka_ssl_context
from ops.settings import Settings

CA = Path(certifi.where())  # any readable PEM bundle will do
PASSWORD = "pa55-w0rd-never-shown"


def settings(**changes: Any) -> Settings:
    return Settings(_env_file=None, **changes)


def sasl(protocol: str = "SASL_PLAINTEXT", mechanism: str = "SCRAM-SHA-512", **changes: Any) -> Settings:
    return settings(kafka_security_protocol=protocol, kafka_sasl_mechanism=mechanism, kafka_username="shop",
                    kafka_password=SecretStr(PASSWORD), **changes)


def test_plaintext_is_the_bootstrap_servers_alone() -> None:
    options = kafka_options(settings(kafka_bootstrap="k1:9092,k2:9092"))
    assert options == {"bootstrap.servers": "k1:9092,k2:9092", "security.protocol": "PLAINTEXT"}
    assert faust_broker_credentials(settings()) is None
    assert kafka_ssl_context(settings()) is None


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_plaintext_passes_mechanism_and_credentials(mechanism: str) -> None:
    options = kafka_options(sasl(mechanism=mechanism))
    assert options == {"bootstrap.servers": "127.0.0.1:9092", "security.protocol": "SASL_PLAINTEXT",
                       "sasl.mechanism": mechanism, "sasl.username": "shop", "sasl.password": PASSWORD}


@pytest.mark.parametrize("ca_file", [None, CA])
def test_sasl_ssl_adds_the_ca_file_when_given(ca_file: Path | None) -> None:
    options = kafka_options(sasl("SASL_SSL", kafka_ca_file=ca_file))
    assert options["security.protocol"] == "SASL_SSL" and options["sasl.password"] == PASSWORD
    assert options.get("ssl.ca.location") == (str(ca_file) if ca_file else None)


@pytest.mark.parametrize("ca_file", [None, CA])
def test_ssl_alone_has_no_credentials(ca_file: Path | None) -> None:
    options = kafka_options(settings(kafka_security_protocol="SSL", kafka_ca_file=ca_file))
    assert options.get("ssl.ca.location") == (str(ca_file) if ca_file else None)
    assert not {"sasl.mechanism", "sasl.username", "sasl.password"} & set(options)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_faust_gets_sasl_credentials_without_tls_for_sasl_plaintext(mechanism: str) -> None:
    credentials = faust_broker_credentials(sasl(mechanism=mechanism))
    assert isinstance(credentials, SASLCredentials)
    assert (credentials.username, credentials.password) == ("shop", PASSWORD)
    assert credentials.mechanism == SASLMechanism(mechanism)
    assert credentials.protocol == AuthProtocol.SASL_PLAINTEXT and credentials.ssl_context is None


def test_faust_gets_sasl_credentials_with_a_verifying_context_for_sasl_ssl() -> None:
    credentials = faust_broker_credentials(sasl("SASL_SSL", kafka_ca_file=CA))
    assert isinstance(credentials, SASLCredentials) and credentials.protocol == AuthProtocol.SASL_SSL
    context = credentials.ssl_context
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0


def test_faust_gets_ssl_credentials_for_ssl() -> None:
    credentials = faust_broker_credentials(settings(kafka_security_protocol="SSL", kafka_ca_file=CA))
    assert isinstance(credentials, SSLCredentials) and credentials.protocol == AuthProtocol.SSL
    assert credentials.context.verify_mode == ssl.CERT_REQUIRED


def test_elasticsearch_without_security_is_the_url_alone() -> None:
    assert elasticsearch_options(settings(elasticsearch_url="http://es:9200")) == {"hosts": ["http://es:9200"]}


@pytest.mark.parametrize(("auth", "expected"), [
    ({"elasticsearch_api_key": SecretStr("a2V5OnNlY3JldA==")}, {"api_key": "a2V5OnNlY3JldA=="}),
    ({"elasticsearch_username": "orderflow", "elasticsearch_password": SecretStr(PASSWORD)},
     {"basic_auth": ("orderflow", PASSWORD)}),
    ({}, {}),
])
@pytest.mark.parametrize(("check", "expected_check"), [
    ({"elasticsearch_ca_file": CA}, {"ca_certs": str(CA)}),
    ({"elasticsearch_ssl_fingerprint": "AB:CD:EF"}, {"ssl_assert_fingerprint": "AB:CD:EF"}),
    ({}, {}),
])
def test_elasticsearch_options_carry_auth_and_certificate_check(
    auth: dict[str, Any], expected: dict[str, Any], check: dict[str, Any], expected_check: dict[str, Any],
) -> None:
    options = elasticsearch_options(settings(elasticsearch_url="https://es:9200", **auth, **check))
    assert options == {"hosts": ["https://es:9200"], **expected, **expected_check}


def test_elasticsearch_options_build_clients() -> None:
    options = elasticsearch_options(settings(elasticsearch_url="https://es:9200", elasticsearch_api_key=SecretStr("k"),
                                             elasticsearch_ca_file=CA))
    Elasticsearch(**options, request_timeout=1).close()
    AsyncElasticsearch(**options, request_timeout=1)


@pytest.mark.parametrize(("changes", "message"), [
    ({"kafka_security_protocol": "SASL_PLAINTEXT"}, "needs both ORDERFLOW_KAFKA_USERNAME and ORDERFLOW_KAFKA_PASSWORD"),
    ({"kafka_security_protocol": "SASL_SSL", "kafka_username": "shop"}, "needs both"),
    ({"kafka_security_protocol": "SASL_SSL", "kafka_password": SecretStr(PASSWORD)}, "needs both"),
    ({"kafka_username": "shop", "kafka_password": SecretStr(PASSWORD)}, "only used with a SASL_PLAINTEXT or SASL_SSL"),
    ({"kafka_ca_file": CA}, "ORDERFLOW_KAFKA_CA_FILE is only used with an SSL or SASL_SSL"),
    ({"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_username": "shop", "kafka_password": SecretStr(PASSWORD),
      "kafka_ca_file": CA}, "ORDERFLOW_KAFKA_CA_FILE is only used"),
    ({"kafka_security_protocol": "TLS"}, "kafka_security_protocol"),
    ({"kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
    ({"elasticsearch_username": "orderflow"}, "basic auth needs both"),
    ({"elasticsearch_password": SecretStr(PASSWORD)}, "basic auth needs both"),
    ({"elasticsearch_api_key": SecretStr("k"), "elasticsearch_username": "orderflow",
      "elasticsearch_password": SecretStr(PASSWORD)}, "exclude each other: choose one way to authenticate"),
    ({"elasticsearch_ca_file": CA, "elasticsearch_ssl_fingerprint": "AB"}, "choose one way to check"),
])
def test_combinations_that_cannot_work_are_refused_clearly(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        settings(**changes)
    assert PASSWORD not in str(refused.value)


def test_a_refusal_from_the_environment_does_not_repeat_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_KAFKA_PASSWORD", PASSWORD)
    monkeypatch.setenv("ORDERFLOW_ELASTICSEARCH_PASSWORD", PASSWORD)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)
    assert PASSWORD not in str(refused.value)  # what a process prints when its settings are refused


def test_secrets_stay_out_of_repr_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    configured = sasl("SASL_SSL", elasticsearch_username="orderflow", elasticsearch_password=SecretStr(PASSWORD))
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("orderflow.test").info("settings: %s %r", configured, configured)
    assert PASSWORD not in caplog.text and PASSWORD not in repr(configured) and PASSWORD not in str(configured)
    assert PASSWORD not in repr(faust_broker_credentials(configured))


def test_child_processes_receive_the_secrets_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    original = sasl("SASL_SSL", kafka_ca_file=CA, elasticsearch_api_key=SecretStr("k3y"),
                    elasticsearch_ssl_fingerprint="AB:CD")
    env = original.as_env()
    assert env["ORDERFLOW_KAFKA_PASSWORD"] == PASSWORD and env["ORDERFLOW_ELASTICSEARCH_API_KEY"] == "k3y"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings(_env_file=None) == original


def test_the_worker_app_gets_every_broker_and_the_credentials(tmp_path: Path) -> None:
    from streams.app import WorkerApp, faust_brokers

    configured = sasl("SASL_SSL", "SCRAM-SHA-256", kafka_bootstrap="k1:9093, k2:9093")
    app = WorkerApp("test", broker=faust_brokers(configured), broker_credentials=faust_broker_credentials(configured),
                    datadir=str(tmp_path))
    assert [str(url) for url in app.conf.broker] == ["kafka://k1:9093", "kafka://k2:9093"]
    assert isinstance(app.conf.broker_credentials, SASLCredentials)
    assert app.conf.broker_credentials.protocol == AuthProtocol.SASL_SSL


@pytest.mark.parametrize("configured", [
    settings(),
    settings(kafka_security_protocol="SSL", kafka_ca_file=CA),
    *(sasl(protocol, mechanism, **({"kafka_ca_file": CA} if protocol == "SASL_SSL" else {}))
      for protocol in ("SASL_PLAINTEXT", "SASL_SSL") for mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")),
], ids=lambda configured: f"{configured.kafka_security_protocol}-{configured.kafka_sasl_mechanism}")
def test_librdkafka_takes_the_kafka_options(configured: Settings) -> None:
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient

    options = {**kafka_options(configured.model_copy(update={"kafka_bootstrap": "127.0.0.1:1"})), "log_level": 0}
    Producer(options).flush(0)
    AdminClient(options)
    Consumer({**options, "group.id": "test"}).close()

