"""The stores as a dict: the in-memory adapter of the deciders' and projectors' ``Read`` port, for tests and
benchmarks of the pure path."""

from collections.abc import Iterable
from typing import Any

from pydantic_core import from_json


class MemoryStores:
    """Stores as a dict of (store, partition, key) -> bytes."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, int, str], bytes] = {}

    def read(self, store: str, partition: int, key: str) -> bytes | None:
        return self.data.get((store, partition, key))

    def apply(self, writes: Iterable[tuple[str, int, str, bytes | None]]) -> None:
        for store, partition, key, value in writes:
            if value is None:
                self.data.pop((store, partition, key), None)
            else:
                self.data[(store, partition, key)] = value

    def parsed(self, store: str) -> dict[str, Any]:
        return {key: from_json(value) for (name, _, key), value in self.data.items() if name == store}
