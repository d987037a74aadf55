"""The command producer against the real broker: a full local queue waits instead of dropping; close flushes."""

import asyncio

from ops.settings import Settings
from producers.publisher import KafkaPublisher, Record, producer_config
from tests.support import read_topic


def records(topic: str, key: bytes, count: int) -> list[Record]:
    return [Record(topic, key, f'{{"n": {n}}}'.encode()) for n in range(count)]


def test_a_full_local_queue_waits_and_every_record_is_delivered_in_order(servers: Settings, topic: str) -> None:
    key = b"publisher-test"
    publisher = KafkaPublisher({**producer_config(servers.kafka_bootstrap), "queue.buffering.max.messages": 5})
    publisher.start()
    try:
        errors = asyncio.run(publisher.publish_many(records(topic, key, 500)))
    finally:
        publisher.close()
    assert errors == [None] * 500
    values = [record.value() for record in read_topic(servers.kafka_bootstrap, topic, key)]
    assert values == [f'{{"n": {n}}}'.encode() for n in range(500)]


def test_close_delivers_what_is_still_queued(servers: Settings, topic: str) -> None:
    key = b"publisher-test"
    publisher = KafkaPublisher({**producer_config(servers.kafka_bootstrap), "linger.ms": 1000})

    async def produce_without_waiting() -> None:
        task = asyncio.create_task(publisher.publish_many(records(topic, key, 50)))
        await asyncio.sleep(0.05)  # produced, still lingering in the local queue
        assert publisher.queue_depth == 50
        task.cancel()

    publisher.start()
    asyncio.run(produce_without_waiting())
    publisher.close()
    assert len(read_topic(servers.kafka_bootstrap, topic, key)) == 50
