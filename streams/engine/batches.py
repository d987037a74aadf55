"""What a batch of consumed records asks the engine to write, and what a loop runs to get it (``BatchHandler``)."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from confluent_kafka import Message

from streams.engine.state import LoopStores
from streams.engine.stores import StoreSpec
from streams.ports import Wait
from streams.records import Record


@dataclass
class Batch:
    """A batch's output: records to produce and store writes (each also a record on the store's changelog), all
    committed in one transaction with the batch's consumed offsets."""

    records: list[Record] = field(default_factory=list)
    writes: dict[tuple[StoreSpec, int], dict[str, bytes | None]] = field(default_factory=lambda: defaultdict(dict))

    def write(self, store: StoreSpec, partition: int, key: str, value: bytes | None) -> None:
        self.writes[(store, partition)][key] = value

    def produce(self, record: Record) -> None:
        self.records.append(record)

    @property
    def size(self) -> int:
        return len(self.records) + sum(len(entries) for entries in self.writes.values())


class BatchAbandoned(Exception):
    """The batch must not be committed: its partitions were revoked, or the worker is stopping, while it waited."""


class Started(Protocol):
    """A batch whose records are folded; its own I/O (the projectors' bulk request) may still be under way."""

    def finish(self, wait: Wait) -> Batch:
        """What to commit, once the batch's I/O is done; waits through ``wait`` (see ``BatchHandler``)."""
        ...


@dataclass(frozen=True)
class Finished:
    """A batch with nothing left to do before its commit."""

    batch: Batch

    def finish(self, wait: Wait) -> Batch:
        return self.batch


class BatchHandler(Protocol):
    """What a loop runs: the handler turns consumed records into a ``Batch`` and keeps its own caches in step.
    Its stores stay open over a revocation (the same partitions usually come back at once) and are brought up
    to date on every assignment.

    A handler that ``overlaps`` lets the loop start the next batch before the last one is committed: the batches
    commit in the order they were started, and when one is not committed, the ones started after it are dropped
    with it (``discarded``)."""

    name: str
    topics: tuple[str, ...]
    stores: LoopStores
    overlaps: bool

    def start(self, messages: list[Message]) -> Started: ...

    def committed(self) -> None: ...

    def discarded(self) -> None: ...

    def forget(self, partitions: set[int]) -> None: ...


@dataclass(frozen=True)
class InFlight:
    """A batch started and not yet committed, with how long its start took."""

    messages: list[Message]
    started: Started
    start_s: float
