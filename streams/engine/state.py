"""The stores one loop owns, per assigned partition: opened and restored on assignment, closed on revocation,
written after each committed batch."""

import logging
from collections.abc import Callable, Iterable

from streams.engine.stores import PartitionStore, StoreFolders, StoreSpec

log = logging.getLogger(__name__)

Restore = Callable[[list[tuple[StoreSpec, int, PartitionStore]]], int]


class PartitionNotAssigned(KeyError):
    pass


class LoopStores:
    def __init__(self, specs: Iterable[StoreSpec], folders: StoreFolders, restore: Restore) -> None:
        self.specs = tuple(specs)
        self._by_name = {spec.name: spec for spec in self.specs}
        self._folders = folders
        self._restore = restore
        self._open: dict[tuple[StoreSpec, int], PartitionStore] = {}

    @property
    def partitions(self) -> set[int]:
        return {partition for _, partition in self._open}

    def assign(self, partitions: Iterable[int]) -> None:
        """Open the partitions' stores (keeping those open already) and bring each up to its changelog's end: a
        partition that was another worker's meanwhile may have moved on."""
        wanted = set(partitions)
        self.close_except(wanted)
        for partition in sorted(wanted):
            for spec in self.specs:
                if (spec, partition) not in self._open:
                    self._open[(spec, partition)] = self._folders.open(spec, partition)
        restored = self._restore([(spec, partition, store) for (spec, partition), store in self._open.items()])
        if restored:
            log.info("restored %d changelog records into %s", restored, ", ".join(spec.name for spec in self.specs))

    def close_except(self, partitions: set[int]) -> None:
        for key in [key for key in self._open if key[1] not in partitions]:
            self._open.pop(key).close()

    def close(self) -> None:
        self.close_except(set())

    def store(self, spec: StoreSpec, partition: int) -> PartitionStore:
        try:
            return self._open[(spec, partition)]
        except KeyError:
            raise PartitionNotAssigned(f"{spec.name}/{partition} is not assigned to this worker") from None

    def read(self, name: str, partition: int, key: str) -> bytes | None:
        """The pure code's port: a key's stored bytes, the store named as the pure code names it."""
        return self.store(self._by_name[name], partition).get(key)

    def count(self, name: str) -> int:
        """Entries of a store over the open partitions (for small stores: it reads them all)."""
        spec = self._by_name[name]
        return sum(store.count() for (open_spec, _), store in list(self._open.items()) if open_spec == spec)

    def spec(self, name: str) -> StoreSpec:
        return self._by_name[name]

    def apply(self, writes: dict[tuple[StoreSpec, int], dict[str, bytes | None]],
              checkpoints: dict[tuple[str, int], int]) -> None:
        """A committed batch's writes, each partition store with the changelog offset its records reached."""
        for (spec, partition), entries in writes.items():
            checkpoint = checkpoints[(spec.changelog, partition)]
            self.store(spec, partition).apply(((key, spec.local(value)) for key, value in entries.items()), checkpoint)
