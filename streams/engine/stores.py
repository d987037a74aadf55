"""The worker's keyed state: one RocksDB folder per store and partition, mirrored by a compacted changelog topic.

A store's local folder only ever takes writes whose changelog records are committed (the engine applies a batch's
writes after its transaction commits), together with the changelog offset they reach. On start, and whenever a
partition is assigned, the folder reads its changelog from that checkpoint to the end: whatever was committed but
not yet applied (a crash between commit and apply) comes back, and nothing of an aborted batch ever reaches it.
"""

import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from pydantic_core import from_json, to_json
from rocksdict import Cache, Options, Rdict, WriteBatch, WriteBufferManager

from common.rocks import lookup_table

# The key under which a folder keeps the changelog offset its contents reach; not a valid JSON-string store key.
CHECKPOINT_KEY = b"\x00checkpoint"


@dataclass(frozen=True)
class StoreSpec:
    """A named store and its changelog. ``json_keys``: changelog keys are JSON strings (as the tables this worker
    inherited wrote them); otherwise the key's UTF-8 bytes (``commands.outcomes`` is keyed by the bare command id).
    ``kept``: what the local folder keeps of a value (``None``: all of it) when its readers need less than the
    changelog carries."""

    name: str
    changelog: str
    json_keys: bool = True
    kept: Callable[[bytes], bytes] | None = None

    def local(self, value: bytes | None) -> bytes | None:
        return self.kept(value) if self.kept is not None and value is not None else value

    def changelog_key(self, key: str) -> bytes:
        return to_json(key) if self.json_keys else key.encode()

    def key_of_changelog(self, raw: bytes) -> str:
        return from_json(raw) if self.json_keys else raw.decode()


def store_options(cache: Cache, memtables_bytes: int) -> Options:
    """Bloom filters, in the files (``lookup_table``) and in the memtable: a miss costs ~0.4 us instead of ~7-20 us
    at 50-300k keys.

    A worker keeps a folder per store and partition (a dozen or two), each with its own memtables: left at
    RocksDB's defaults (64 MiB each) they would grow towards a gigabyte together, so all of them share one budget,
    charged to the block cache, and flush when it is spent."""
    options = Options(raw_mode=True)
    options.create_if_missing(True)
    options.set_block_based_table_factory(lookup_table(cache))
    options.set_memtable_whole_key_filtering(True)
    options.set_memtable_prefix_bloom_ratio(0.1)
    options.set_write_buffer_size(min(memtables_bytes, 16 * 1024 * 1024))
    options.set_write_buffer_manager(WriteBufferManager.new_write_buffer_manager_with_cache(
        memtables_bytes, False, cache))
    return options


class PartitionStore:
    """One store's entries of one partition, on disk."""

    def __init__(self, path: Path, options: Options) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = Rdict(str(path), options=options)

    def get(self, key: str) -> bytes | None:
        return self._db.get(key.encode())

    def checkpoint(self) -> int:
        """The first changelog offset this folder has not taken (0: nothing yet)."""
        stored = self._db.get(CHECKPOINT_KEY)
        return int(stored) if stored is not None else 0

    def apply(self, writes: Iterable[tuple[str, bytes | None]], checkpoint: int) -> None:
        batch = WriteBatch(raw_mode=True)
        for key, value in writes:
            if value is None:
                batch.delete(key.encode())
            else:
                batch.put(key.encode(), value)
        batch.put(CHECKPOINT_KEY, str(checkpoint).encode())
        self._db.write(batch)

    def count(self) -> int:
        return sum(1 for _ in self.items())

    def items(self) -> Iterable[tuple[str, bytes]]:
        # A raw-mode Rdict's keys are bytes; its stubs type them for every mode.
        entries = cast(Iterator[tuple[bytes, bytes]], self._db.items())
        return ((key.decode(), value) for key, value in entries if key != CHECKPOINT_KEY)

    def close(self) -> None:
        self._db.close()


class StoreFolders:
    """Where a worker keeps its stores: ``<root>/<store>/<partition>``, all sharing one block cache and one memtable
    budget."""

    def __init__(self, root: Path, cache_bytes: int, memtables_bytes: int) -> None:
        self.root = root
        self._options = store_options(Cache(cache_bytes), memtables_bytes)

    def open(self, spec: StoreSpec, partition: int) -> PartitionStore:
        return PartitionStore(self.root / spec.name / str(partition), self._options)

    def remove(self, name: str) -> list[Path]:
        folder = self.root / name
        if not folder.exists():
            return []
        shutil.rmtree(folder)
        return [folder]


Restorer = Callable[[StoreSpec, int, PartitionStore], int]
