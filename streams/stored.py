"""Table values as JSON bytes, with the values a worker stored last kept parsed."""

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# How many values per table a worker keeps parsed after storing them.
CACHED_VALUES = 5_000


class StoredValues(Generic[T]):
    """Reads and writes one table's values. What was stored last under a key is served parsed for as long as the
    table holds exactly the bytes it was stored as: a value changed by anyone else (a rebalance, a restore from the
    changelog) is parsed again, so the cache can never answer with something the table does not hold."""

    def __init__(self, load: Callable[[bytes], T], dump: Callable[[T], bytes], size: int = CACHED_VALUES) -> None:
        self._load = load
        self._dump = dump
        self._size = size
        self._values: OrderedDict[str, tuple[bytes, T]] = OrderedDict()

    def load(self, key: str, stored: bytes | None) -> T | None:
        if stored is None:
            return None
        cached = self._values.get(key)
        if cached is not None and cached[0] == stored:
            self._values.move_to_end(key)
            return cached[1]
        return self._load(stored)

    def dump(self, key: str, value: T) -> bytes:
        stored = self._dump(value)
        self._values[key] = (stored, value)
        self._values.move_to_end(key)
        if len(self._values) > self._size:
            self._values.popitem(last=False)
        return stored
