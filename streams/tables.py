"""Parsed values over a store of JSON bytes, with the changes of the batches in hand kept apart until they commit.

The worker owns its stores alone, so what it committed last can be kept parsed (an LRU) and served without
parsing again; a batch's changes join that cache only once the batch is committed, and are dropped if it is not.
A batch may be folded while the one before it still waits for its commit (the projectors fold the next batch
while Elasticsearch indexes the last): each batch's changes are a layer of their own, read newest first, and the
batches commit in the order they were folded.

A value is usually one key's bytes (``JsonCodec``); a codec may also spread one value over several keys of the
same store partition (a stock and its reservations), reading them lazily through the ``read`` it is given.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, Final, Generic, Protocol, TypeVar

from pydantic import TypeAdapter
from pydantic_core import from_json

from streams.ports import Read

T = TypeVar("T")

# The stored bytes of a key of the partition a value lives in.
ReadKey = Callable[[str], bytes | None]
Writes = dict[str, bytes | None]

# How many values per table a worker keeps parsed.
CACHED_VALUES = 20_000


class _Absent(Enum):
    """What the cache holds for a key the store does not have (an enum member, so ``is ABSENT`` narrows)."""

    ABSENT = "absent"


ABSENT: Final = _Absent.ABSENT


class Codec(Protocol[T]):
    def load(self, key: str, read: ReadKey) -> T | None: ...

    def dump(self, key: str, value: T) -> tuple[Writes, T]:
        """The writes that store ``value`` under ``key``, and the value as it reads once they are stored."""
        ...


class JsonCodec(Generic[T]):
    """One key, the value's JSON."""

    def __init__(self, value_type: Any) -> None:
        self._adapter: TypeAdapter[T] = TypeAdapter(value_type)

    def load(self, key: str, read: ReadKey) -> T | None:
        stored = read(key)
        return self.parse(stored) if stored is not None else None

    def parse(self, stored: bytes) -> T:
        return self._adapter.validate_json(stored)

    def dump(self, key: str, value: T) -> tuple[Writes, T]:
        return {key: self._adapter.dump_json(value)}, value


class LegacyEntryCodec(JsonCodec[T]):
    """An aggregate's state; also reads the entries written when an entry held ``{"state", "outcomes"}``."""

    def parse(self, stored: bytes) -> T:
        if stored.startswith(b'{"state":'):
            return self._adapter.validate_python(from_json(stored)["state"])
        return super().parse(stored)


class ParsedTable(Generic[T]):
    """One store's values, parsed: ``get``/``put`` within a batch; ``changes`` renders the batch's writes and closes
    it; ``commit`` settles the oldest closed batch, ``discard`` drops every batch not committed."""

    def __init__(self, store: str, read: Read, codec: Codec[T], cache_size: int = CACHED_VALUES) -> None:
        self.store = store
        self._read = read
        self._codec = codec
        self._cache_size = cache_size
        # Keys known to be absent are remembered too: most lookups of some stores (a view's "behind" marks, a new
        # aggregate) find nothing, and asking RocksDB each time cost a tenth of the projectors' CPU.
        self._committed: OrderedDict[tuple[int, str], T | _Absent] = OrderedDict()
        self._batch: dict[tuple[int, str], T | None] = {}
        # Closed batches waiting for their commit, oldest first: each key's value as it reads once stored.
        self._closed: list[dict[tuple[int, str], T | None]] = []

    def get(self, partition: int, key: str) -> T | None:
        place = (partition, key)
        if place in self._batch:
            return self._batch[place]
        for closed in reversed(self._closed):
            if place in closed:
                return closed[place]
        if place in self._committed:
            self._committed.move_to_end(place)
            known = self._committed[place]
            return None if known is ABSENT else known
        value = self._codec.load(key, lambda name: self._read(self.store, partition, name))
        self._remember(place, ABSENT if value is None else value)
        return value

    def put(self, partition: int, key: str, value: T | None) -> None:
        """``None`` removes the value (a value of one key only)."""
        self._batch[(partition, key)] = value

    def changes(self) -> list[tuple[int, str, bytes | None]]:
        """The batch's writes, each key once; the batch is closed (later ``put``s start the next one)."""
        writes: list[tuple[int, str, bytes | None]] = []
        settled: dict[tuple[int, str], T | None] = {}
        for (partition, key), value in self._batch.items():
            if value is None:
                settled[(partition, key)] = None
                writes.append((partition, key, None))
                continue
            stored, settled[(partition, key)] = self._codec.dump(key, value)
            writes.extend((partition, name, data) for name, data in stored.items())
        self._closed.append(settled)
        self._batch = {}
        return writes

    def commit(self) -> None:
        """The oldest closed batch is committed (and the open one dropped if no other batch waits)."""
        if self._closed:
            for place, value in self._closed.pop(0).items():
                self._remember(place, ABSENT if value is None else value)
        if not self._closed:
            self._batch.clear()

    def _remember(self, place: tuple[int, str], value: T | _Absent) -> None:
        self._committed[place] = value
        self._committed.move_to_end(place)
        if len(self._committed) > self._cache_size:
            self._committed.popitem(last=False)

    def discard(self) -> None:
        self._batch.clear()
        self._closed.clear()

    def forget(self, partitions: Iterable[int]) -> None:
        """The partitions are no longer this worker's: what it knew of them may be stale when they come back."""
        gone = set(partitions)
        for place in [place for place in self._committed if place[0] in gone]:
            del self._committed[place]
        self.discard()
