"""The command producer against the real broker: a full local queue waits instead of dropping; close flushes;
a record no broker stores fails at the delivery timeout."""

import asyncio
import socket

from confluent_kafka import KafkaError

from common.clients import kafka_options
from common.kafka import producer_config
from ops.settings import Settings
from producers.publisher import KafkaPublisher, Record
from tests.support import read_topic


def records(topic: str, key: bytes, count: int) -> list[Record]:
    return [Record(topic, key, f'{{"n": {n}}}'.encode()) for n in range(count)]


def test_a_full_local_queue_waits_and_every_record_is_delivered_in_order(servers: Settings, topic: str) -> None:
    key = b"publisher-test"
    publisher = KafkaPublisher({**producer_config(kafka_options(servers)), "queue.buffering.max.messages": 5})

    async def publish_all() -> list[KafkaError | None]:
        publisher.start(asyncio.get_running_loop())
        try:
            return await publisher.publish_many(records(topic, key, 500))
        finally:
            publisher.close()

    assert asyncio.run(publish_all()) == [None] * 500
    values = [record.value() for record in read_topic(servers.kafka_bootstrap, topic, key)]
    assert values == [f'{{"n": {n}}}'.encode() for n in range(500)]


def test_close_delivers_what_is_still_queued(servers: Settings, topic: str) -> None:
    key = b"publisher-test"
    publisher = KafkaPublisher({**producer_config(kafka_options(servers)), "linger.ms": 1000})

    async def produce_then_close() -> None:
        publisher.start(asyncio.get_running_loop())
        await publisher.enqueue(records(topic, key, 50))
        assert publisher.queue_depth == 50  # produced, still lingering in the local queue
        publisher.close()

    asyncio.run(produce_then_close())
    assert len(read_topic(servers.kafka_bootstrap, topic, key)) == 50


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once the socket is closed


def test_a_record_no_broker_stores_fails_at_the_delivery_timeout_and_kafka_is_reported_away() -> None:
    publisher = KafkaPublisher(producer_config({"bootstrap.servers": f"127.0.0.1:{_closed_port()}"}, publish_timeout_s=1.0))

    async def publish_nowhere() -> list[KafkaError | None]:
        publisher.start(asyncio.get_running_loop())
        try:
            return await asyncio.wait_for(publisher.publish_many(records("anywhere", b"k", 3)), timeout=30)
        finally:
            publisher.close(timeout_s=0)

    errors = asyncio.run(publish_nowhere())
    assert [error.code() if error else None for error in errors] == [KafkaError._MSG_TIMED_OUT] * 3
    assert publisher.problem is not None and publisher.problem.startswith("no Kafka broker can be reached")
