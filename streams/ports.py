"""What the worker's core needs from outside, as small Protocols.

The adapters: RocksDB stores restored from Kafka changelogs (``streams.engine``), Elasticsearch
(``streams.es_sink``) and the rebuild's own RocksDB folder (``ops.rebuild``), each built only in its process's
composition root (``streams.app``, ``ops.rebuild.run``); and in memory (``streams.memory``) for tests and
benchmarks. The live loops append records inside their Kafka transactions (``streams.engine.transactions``), so
``EventLog`` is the in-memory pipeline's log; the worker's is Kafka itself.
"""

from collections.abc import Callable, Collection, Iterable
from typing import Protocol

from streams.records import Consumed, FailedAction, IndexAction, Record

# The stored bytes of a key of a store's partition (``None``: absent): how the core reads a ``StoreReader``.
Read = Callable[[str, int, str], bytes | None]
# (store, partition, key, bytes): ``None`` deletes the key.
StoreWrite = tuple[str, int, str, bytes | None]
# How an adapter waits before trying again (the live loop's keeps its Kafka group membership alive).
Wait = Callable[[float], None]


class StoreReader(Protocol):
    def read(self, store: str, partition: int, key: str) -> bytes | None: ...


class KeyValueTable(StoreReader, Protocol):
    """Keys of named stores, per partition, holding bytes; ``apply`` writes a settled batch in order."""

    def apply(self, writes: Iterable[StoreWrite]) -> None: ...


class DocumentSink(Protocol):
    """Writes a batch of documents with external versions: a document never moves back to an older version (nor
    to its own unless ``same_version``). Returns only the documents refused for good; waits out outages through
    ``wait``."""

    def write(self, actions: list[IndexAction], wait: Wait = ...) -> list[FailedAction]: ...


class EventLog(Protocol):
    """Records appended in order; ``take`` hands out those of ``topics`` not taken yet, with their offsets."""

    def append(self, records: Iterable[Record]) -> None: ...

    def take(self, topics: Collection[str]) -> list[Consumed]: ...
