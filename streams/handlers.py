"""The two loops' work on a batch of consumed records: the pure deciders and projectors, and their one I/O each
(stores behind a port; the projector's documents through its ``DocumentSink``)."""

import time
from collections.abc import Callable
from datetime import datetime

from confluent_kafka import Message

from common.kafka import position_of
from streams.deciding import Deciders
from streams.engine.batches import Batch
from streams.engine.health import LoopHealth
from streams.engine.state import LoopStores
from streams.folding import index_documents
from streams.ports import DocumentSink, Wait
from streams.projecting import Projectors
from streams.records import Consumed, Record


def consumed(message: Message) -> Consumed:
    topic, partition, offset = position_of(message)
    return Consumed(topic, partition, offset, message.key(), message.value())


def _batch_of(records: list[Record], writes: list[tuple[str, int, str, bytes | None]], stores: LoopStores) -> Batch:
    batch = Batch(records=records)
    for store, partition, key, value in writes:
        batch.write(stores.spec(store), partition, key, value)
    return batch


class _Folding:
    """A handler's pure part keeps parsed values of the batch apart until the engine says how the batch ended."""

    def __init__(self, core: Deciders | Projectors) -> None:
        self._core = core

    def committed(self) -> None:
        self._core.committed()

    def discarded(self) -> None:
        self._core.discarded()

    def forget(self, partitions: set[int]) -> None:
        self._core.forget(partitions)


class DeciderHandler(_Folding):
    name = "deciders"

    def __init__(self, deciders: Deciders, stores: LoopStores, clock: Callable[[], datetime]) -> None:
        super().__init__(deciders)
        self._deciders = deciders
        self.stores = stores
        self.topics = deciders.topics
        self._clock = clock

    def process(self, messages: list[Message], wait: Wait) -> Batch:
        decisions = self._deciders.decide([consumed(message) for message in messages], self._clock())
        return _batch_of(decisions.records, decisions.writes, self.stores)


class ProjectorHandler(_Folding):
    """Folds the batch, writes its documents (the sink retries while Elasticsearch is away), dead-letters the
    records whose documents were refused for good."""

    name = "projectors"

    def __init__(self, projectors: Projectors, stores: LoopStores, sink: DocumentSink,
                 health: LoopHealth | None = None) -> None:
        super().__init__(projectors)
        self._projectors = projectors
        self.stores = stores
        self.topics = projectors.topics
        self._sink = sink
        self._health = health or LoopHealth(self.name)

    def process(self, messages: list[Message], wait: Wait) -> Batch:
        projected = self._projectors.project([consumed(message) for message in messages])
        started = time.perf_counter()
        dead_letters = index_documents(projected, self._sink, wait)
        self._health.spent("elasticsearch", time.perf_counter() - started)
        return _batch_of([*projected.records, *projected.dead_letters, *dead_letters], projected.writes, self.stores)

    def views_behind(self) -> int:
        """Views that wait for an event they could not apply (each has a mark in its projection's behind store)."""
        return sum(self.stores.count(spec.behind_table_name) for spec in self._projectors.specs)
