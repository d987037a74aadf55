"""A worker store restored from its changelog topic on the real Kafka: committed records only (an aborted
transaction's never reach it), from its checkpoint to the end, with the offset it reached kept for next time."""

import uuid
from pathlib import Path

from confluent_kafka import Producer
from pydantic_core import to_json
from rocksdict import Cache

from ops.settings import Settings
from streams.app import worker_kafka_options
from streams.engine.kafka import restore
from streams.engine.stores import PartitionStore, StoreSpec, store_options


def transaction(settings: Settings, topic: str, entries: dict[str, bytes | None], commit: bool) -> None:
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "transactional.id": f"test-{uuid.uuid4()}"})
    producer.init_transactions(30)
    producer.begin_transaction()
    for key, value in entries.items():
        producer.produce(topic, value, to_json(key), partition=1)
    if commit:
        producer.commit_transaction(30)
    else:
        producer.flush(30)
        producer.abort_transaction(30)


def test_a_store_takes_what_its_changelog_committed_from_its_checkpoint_on(
    servers: Settings, topic: str, tmp_path: Path,
) -> None:
    spec = StoreSpec("test-store", topic)
    options = worker_kafka_options(servers)
    store = PartitionStore(tmp_path / "store", store_options(Cache(1 << 20), 1 << 20))
    transaction(servers, topic, {"A": b"1", "B": b"2"}, commit=True)
    transaction(servers, topic, {"A": b"aborted", "C": b"aborted"}, commit=False)
    transaction(servers, topic, {"B": None, "D": b"4"}, commit=True)

    assert restore(options, [(spec, 1, store)]) == 4
    assert dict(store.items()) == {"A": b"1", "D": b"4"}
    checkpoint = store.checkpoint()
    assert checkpoint > 0
    assert restore(options, [(spec, 1, store)]) == 0 and store.checkpoint() == checkpoint

    transaction(servers, topic, {"E": b"5"}, commit=True)
    assert restore(options, [(spec, 1, store)]) == 1
    assert dict(store.items()) == {"A": b"1", "D": b"4", "E": b"5"}
    assert restore(options, [(spec, 0, PartitionStore(tmp_path / "empty", store_options(Cache(1 << 20), 1 << 20)))]) == 0
