"""The worker's ports in memory (``streams.ports``), and both loops over them: for tests and benchmarks of the pure
path, and the in-memory side of the adapters' contract tests (``tests/contracts``)."""

import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic_core import from_json

from schemas.envelope import utc_now
from schemas.mappings import READ_MODELS
from streams.deciding import AggregateSpec, Deciders, Decisions
from streams.folding import decide_settled, index_documents, project_settled
from streams.ports import DocumentSink, KeyValueTable, StoreWrite, Wait
from streams.projecting import Projected, Projectors
from streams.projection_spec import ProjectionSpec
from streams.records import Consumed, FailedAction, IndexAction, Record, write_newest

BATCH = 2000  # records per batch, as ``ORDERFLOW_WORKER_BATCH_MAX_RECORDS``


class MemoryStores:
    """``KeyValueTable``: stores as a dict of (store, partition, key) -> bytes."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, int, str], bytes] = {}

    def read(self, store: str, partition: int, key: str) -> bytes | None:
        return self.data.get((store, partition, key))

    def apply(self, writes: Iterable[StoreWrite]) -> None:
        for store, partition, key, value in writes:
            if value is None:
                self.data.pop((store, partition, key), None)
            else:
                self.data[(store, partition, key)] = value

    def parsed(self, store: str) -> dict[str, Any]:
        return {key: from_json(value) for (name, _, key), value in self.data.items() if name == store}


class MemoryLog:
    """``EventLog``: every topic one partition (as the memory stores), offsets counted per topic."""

    def __init__(self) -> None:
        self.records: list[Consumed] = []
        self._unread: list[Consumed] = []
        self._next: dict[str, int] = {}

    def append(self, records: Iterable[Record]) -> None:
        for record in records:
            offset = self._next.get(record.topic, 0)
            self._next[record.topic] = offset + 1
            consumed = Consumed(record.topic, 0, offset, record.key, record.value)
            self.records.append(consumed)
            self._unread.append(consumed)

    def take(self, topics: Collection[str]) -> list[Consumed]:
        taken = [record for record in self._unread if record.topic in topics]
        self._unread = [record for record in self._unread if record.topic not in topics]
        return taken


class MemoryDocuments:
    """``DocumentSink``: indexes as dicts of doc id -> (version, document). An index with a mapping (by default the
    read models', ``schemas.mappings``) is strict, as theirs are: a document with a field it does not map is
    refused."""

    def __init__(self, mappings: Mapping[str, dict[str, Any]] | None = None) -> None:
        self.mappings = dict(mappings if mappings is not None else
                             {alias: model.properties for alias, model in READ_MODELS.items()})
        self.indexes: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {}

    def write(self, actions: list[IndexAction], wait: Wait = time.sleep) -> list[FailedAction]:
        return write_newest(actions, self._write_all)[0]

    def _write_all(self, actions: list[IndexAction]) -> list[FailedAction]:
        return [failure for action in actions if (failure := self._index(action)) is not None]

    def _index(self, action: IndexAction) -> FailedAction | None:
        properties = self.mappings.get(action.index)
        unmapped = _unmapped(action.document, properties, "_doc") if properties is not None else None
        if unmapped is not None:
            return FailedAction(action, f"strict_dynamic_mapping_exception: mapping set to strict, dynamic "
                                        f"introduction of [{unmapped[1]}] within [{unmapped[0]}] is not allowed")
        documents = self.indexes.setdefault(action.index, {})
        held = documents.get(action.doc_id)
        if held is None or action.version > held[0] or (action.same_version and action.version == held[0]):
            documents[action.doc_id] = (action.version, action.document)
        return None

    def document(self, index: str, doc_id: str) -> tuple[int, dict[str, Any]] | None:
        """The version and source of a document (``None``: the index does not hold it)."""
        return self.indexes.get(index, {}).get(doc_id)


def _unmapped(value: Any, properties: dict[str, Any], path: str) -> tuple[str, str] | None:
    """The first (object path, field) of ``value`` its mapping's ``properties`` do not name, at any depth."""
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            continue
        for name, inner in item.items():
            if name not in properties:
                return path, name
            nested = properties[name].get("properties")
            found = _unmapped(inner, nested, name) if nested is not None else None
            if found is not None:
                return found
    return None


def no_wait(seconds: float) -> None:
    """An adapter in memory never waits for anything."""


class MemoryWorker:
    """The worker's two loops over an in-memory log: each round decides the commands and folds the events the log
    holds, in batches settled at once in ``stores`` (memory unless given); what a batch produces goes on the log,
    for whichever loop reads its topic (the next round). Documents go to ``documents`` (memory unless given)."""

    def __init__(self, aggregates: Iterable[AggregateSpec[Any]], projections: Iterable[ProjectionSpec[Any]],
                 stores: KeyValueTable | None = None, documents: DocumentSink | None = None,
                 clock: Callable[[], datetime] = utc_now, batch_size: int = BATCH) -> None:
        self.stores: KeyValueTable = stores if stores is not None else MemoryStores()
        self.documents = documents if documents is not None else MemoryDocuments()
        self.log = MemoryLog()
        self.deciders = Deciders(aggregates, self.stores.read)
        self.projectors = Projectors(projections, self.stores.read)
        self._clock = clock
        self._batch_size = batch_size

    def run(self) -> None:
        """Until neither loop has anything left to read."""
        while True:
            commands, events = self.log.take(self.deciders.topics), self.log.take(self.projectors.topics)
            if not commands and not events:
                return
            for start in range(0, len(commands), self._batch_size):
                self.decide(commands[start:start + self._batch_size])
            for start in range(0, len(events), self._batch_size):
                self.project(events[start:start + self._batch_size])

    def decide(self, batch: list[Consumed]) -> Decisions:
        decisions = decide_settled(self.deciders, batch, self._clock(), self.stores)
        self.log.append(decisions.records)
        return decisions

    def project(self, batch: list[Consumed]) -> Projected:
        projected = project_settled(self.projectors, batch, self.stores)
        refused = index_documents(projected, self.documents, no_wait)
        self.log.append([*projected.records, *projected.dead_letters, *refused])
        return projected
