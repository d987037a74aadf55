"""The two loops' work on a batch of consumed records: the pure deciders and projectors, and their one I/O each
(stores behind a port; the projector's documents through its ``DocumentSink``, on a thread of their own)."""

import time
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future
from datetime import datetime

from confluent_kafka import Message

from common.kafka import position_of
from streams.deciding import Deciders
from streams.engine.batches import Batch, Finished, Started
from streams.engine.health import LoopHealth
from streams.engine.state import LoopStores
from streams.indexer import Indexer
from streams.ports import DocumentSink, Wait
from streams.projecting import Projected, Projectors
from streams.records import Consumed, Record

# How long a batch's bulk request is waited for without the consumer, and then how often the loop's wait is asked.
QUIET_WAIT_S = 2.0
INDEXED_POLL_S = 0.05


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
    overlaps = False

    def __init__(self, deciders: Deciders, stores: LoopStores, clock: Callable[[], datetime]) -> None:
        super().__init__(deciders)
        self._deciders = deciders
        self.stores = stores
        self.topics = deciders.topics
        self._clock = clock

    def start(self, messages: list[Message]) -> Started:
        decisions = self._deciders.decide([consumed(message) for message in messages], self._clock())
        return Finished(_batch_of(decisions.records, decisions.writes, self.stores))


class ProjectorHandler(_Folding):
    """Folds a batch and hands its documents to the indexing thread, so that the loop folds the next batch while
    Elasticsearch takes this one's (the sink retries while Elasticsearch is away); the records whose documents were
    refused for good are dead-lettered with the batch."""

    name = "projectors"
    overlaps = True

    def __init__(self, projectors: Projectors, stores: LoopStores, sink: DocumentSink,
                 health: LoopHealth | None = None) -> None:
        super().__init__(projectors)
        self._projectors = projectors
        self.stores = stores
        self.topics = projectors.topics
        self._indexer = Indexer(sink)
        self._health = health or LoopHealth(self.name)

    def start(self, messages: list[Message]) -> Started:
        projected = self._projectors.project([consumed(message) for message in messages])
        return _Indexing(projected, self._indexer.submit(projected), self.stores, self._health)

    def discarded(self) -> None:
        self._indexer.cancel()
        super().discarded()

    def views_behind(self) -> int:
        """Views that wait for an event they could not apply (each has a mark in its projection's behind store)."""
        return sum(self.stores.count(spec.behind_table_name) for spec in self._projectors.specs)


class _Indexing:
    def __init__(self, projected: Projected, indexed: "Future[list[Record]]", stores: LoopStores,
                 health: LoopHealth) -> None:
        self._projected = projected
        self._indexed = indexed
        self._stores = stores
        self._health = health

    def finish(self, wait: Wait) -> Batch:
        started = time.perf_counter()
        # A short wait needs nothing of the consumer; a longer one goes through the loop's, which keeps the
        # group membership alive and gives the batch up when its partitions are revoked or the worker stops.
        futures.wait([self._indexed], timeout=QUIET_WAIT_S)
        while not self._indexed.done():
            wait(INDEXED_POLL_S)
        self._health.spent("elasticsearch", time.perf_counter() - started)
        dead_letters = self._indexed.result()
        projected = self._projected
        return _batch_of([*projected.records, *projected.dead_letters, *dead_letters], projected.writes, self._stores)
