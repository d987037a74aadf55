"""The project's Kafka clients through a SASL_PLAINTEXT listener with SCRAM, as against an existing secured cluster:
the local broker's listener of ``ORDERFLOW_KAFKA_SASL_PORT`` (``make test`` turns it on), its user created by the
launcher. Every client is configured by ``common.clients.kafka_options``."""

import uuid
from typing import Any

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from pydantic import SecretStr

from common.clients import kafka_options
from common.deadletters import list_dead_letters
from common.lag import GroupLag
from common.settings import KafkaSaslMechanism
from ops.admin.topics import admin_client
from ops.launcher.kafka_sasl import sasl_client_settings
from ops.launcher.processes import port_open
from ops.settings import Settings
from schemas.topics import ORDERS_COMMANDS

MECHANISMS: list[KafkaSaslMechanism] = ["SCRAM-SHA-256", "SCRAM-SHA-512"]


@pytest.fixture(scope="module")
def sasl_servers(servers: Settings) -> Settings:
    if not servers.kafka_sasl_port:
        pytest.skip("ORDERFLOW_KAFKA_SASL_PORT is 0: the local broker has no SASL listener (`make test` sets it)")
    assert port_open(servers.kafka_sasl_port), (
        f"nothing listens on the SASL port {servers.kafka_sasl_port}: the running broker was started without "
        "ORDERFLOW_KAFKA_SASL_PORT; `make down`, then `make test` starts it with the listener")
    return servers


@pytest.fixture(params=MECHANISMS)
def through_sasl(request: pytest.FixtureRequest, sasl_servers: Settings) -> Settings:
    return sasl_client_settings(sasl_servers, request.param)


def test_records_go_through_the_sasl_listener_both_ways(through_sasl: Settings, topic: str) -> None:
    kafka = kafka_options(through_sasl)
    assert kafka["security.protocol"] == "SASL_PLAINTEXT" and kafka["bootstrap.servers"].endswith(
        f":{through_sasl.kafka_sasl_port}")
    producer = Producer({**kafka, "log_level": 3})
    sent = [(f"key-{n}".encode(), f"value-{n}-{uuid.uuid4()}".encode()) for n in range(5)]
    for key, value in sent:
        producer.produce(topic, key=key, value=value, partition=0)
    assert producer.flush(30) == 0
    assert sorted(read_partition(kafka, topic, len(sent))) == sorted(sent)


def read_partition(kafka: dict[str, Any], topic: str, count: int) -> list[tuple[bytes | None, bytes | None]]:
    consumer = Consumer({**kafka, "group.id": f"test-sasl-{uuid.uuid4()}", "enable.auto.commit": False,
                         "log_level": 3})
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])
        read: list[tuple[bytes | None, bytes | None]] = []
        for _ in range(60):
            for message in consumer.consume(count, timeout=0.5):
                assert message.error() is None, message.error()
                read.append((message.key(), message.value()))
            if len(read) >= count:
                return read
        raise AssertionError(f"read {len(read)} of {count} records through the SASL listener")
    finally:
        consumer.close()


def test_the_tooling_works_through_the_sasl_listener(through_sasl: Settings) -> None:
    assert admin_client(through_sasl).list_topics(timeout=10).topics
    list_dead_letters(kafka_options(through_sasl), limit=1)  # raises KafkaUnavailable when it cannot read
    lag = GroupLag(kafka_options(through_sasl), through_sasl.worker_id)
    try:
        assert lag.lag([ORDERS_COMMANDS])
    finally:
        lag.close()


@pytest.mark.parametrize(("user", "password"), [(None, "not-the-password"), ("nobody", None)])
def test_wrong_credentials_are_refused_with_an_authentication_error(
    sasl_servers: Settings, user: str | None, password: str | None,
) -> None:
    right = sasl_client_settings(sasl_servers)
    wrong = right.model_copy(update={"kafka_username": user or right.kafka_username,
                                     "kafka_password": SecretStr(password) if password else right.kafka_password})
    refusals: list[KafkaError] = []
    config: dict[str, Any] = {**kafka_options(wrong), "log_level": 0, "error_cb": refusals.append}
    client = AdminClient(config)
    with pytest.raises(KafkaException) as failed:
        client.list_topics(timeout=10)
    client.poll(1)  # serves error_cb
    refusals.append(failed.value.args[0])
    authentication = [error for error in refusals if error.code() == KafkaError._AUTHENTICATION]
    assert authentication, f"expected an authentication error, got {refusals}"
    assert "Authentication failed" in authentication[0].str() and "SCRAM-SHA-512" in authentication[0].str()
