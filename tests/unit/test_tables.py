"""Parsed values over stored bytes: a batch's changes are kept apart until it commits and dropped if it does not;
the stores on disk take a committed batch's writes with the changelog offset they reach."""

from dataclasses import dataclass
from pathlib import Path

from pydantic_core import to_json
from rocksdict import Cache

from streams.engine.stores import PartitionStore, store_options
from streams.memory import MemoryStores
from streams.tables import JsonCodec, LegacyEntryCodec, ParsedTable


@dataclass(frozen=True)
class Count:
    value: int


class CountingStores(MemoryStores):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read(self, store: str, partition: int, key: str) -> bytes | None:
        self.reads += 1
        return super().read(store, partition, key)


def table(stores: MemoryStores) -> ParsedTable[Count]:
    return ParsedTable("counts", stores.read, JsonCodec(Count), cache_size=2)


def test_a_committed_value_is_served_parsed_and_a_discarded_one_is_forgotten() -> None:
    stores = CountingStores()
    counts = table(stores)
    counts.put(0, "a", Count(1))
    stores.apply(("counts", partition, key, value) for partition, key, value in counts.changes())
    counts.commit()
    assert counts.get(0, "a") == Count(1) and stores.reads == 0
    counts.put(0, "a", Count(2))
    assert counts.get(0, "a") == Count(2)
    counts.discard()
    assert counts.get(0, "a") == Count(1)


def test_only_the_most_recently_used_values_stay_parsed() -> None:
    stores = CountingStores()
    counts = table(stores)
    for key in "abc":
        counts.put(0, key, Count(1))
    stores.apply(("counts", partition, key, value) for partition, key, value in counts.changes())
    counts.commit()
    assert counts.get(0, "a") == Count(1) and stores.reads == 1  # "a" was the least recently used of three


def test_forgotten_partitions_are_read_again() -> None:
    stores = CountingStores()
    stores.data[("counts", 1, "a")] = b'{"value": 5}'
    counts = table(stores)
    assert counts.get(1, "a") == Count(5)
    stores.data[("counts", 1, "a")] = b'{"value": 6}'  # the partition was another worker's meanwhile
    counts.forget({1})
    assert counts.get(1, "a") == Count(6) and stores.reads == 2


def test_a_none_removes_the_key() -> None:
    stores = MemoryStores()
    counts = table(stores)
    counts.put(0, "a", Count(1))
    stores.apply(("counts", p, k, v) for p, k, v in counts.changes())
    counts.commit()
    counts.put(0, "a", None)
    assert list(counts.changes()) == [(0, "a", None)]


def test_an_entry_written_with_remembered_outcomes_reads_as_its_state() -> None:
    codec: LegacyEntryCodec[Count] = LegacyEntryCodec(Count)
    assert codec.parse(to_json({"state": {"value": 3}, "outcomes": []})) == Count(3)
    assert codec.parse(b'{"value": 4}') == Count(4)


def test_a_store_folder_takes_writes_with_the_checkpoint_they_reach(tmp_path: Path) -> None:
    options = store_options(Cache(1 << 20), 1 << 20)
    store = PartitionStore(tmp_path / "s", options)
    assert store.checkpoint() == 0
    store.apply([("a", b"1"), ("b", b"2")], 10)
    store.apply([("a", None)], 12)
    store.close()
    again = PartitionStore(tmp_path / "s", options)
    assert (again.get("a"), again.get("b"), again.checkpoint(), dict(again.items())) == (None, b"2", 12, {"b": b"2"})
    again.close()


def test_a_key_found_absent_is_not_read_again_until_a_batch_writes_it() -> None:
    stores = CountingStores()
    counts = table(stores)
    assert counts.get(0, "a") is None and counts.get(0, "a") is None
    assert stores.reads == 1
    counts.put(0, "a", Count(3))
    stores.apply(("counts", partition, key, value) for partition, key, value in counts.changes())
    counts.commit()
    assert counts.get(0, "a") == Count(3) and stores.reads == 1


def test_a_removed_key_is_known_absent_and_a_discarded_removal_is_not() -> None:
    stores = CountingStores()
    stores.data[("counts", 0, "a")] = b'{"value": 5}'
    counts = table(stores)
    assert counts.get(0, "a") == Count(5)
    counts.put(0, "a", None)
    list(counts.changes())
    counts.discard()
    assert counts.get(0, "a") == Count(5)
    counts.put(0, "a", None)
    stores.apply(("counts", partition, key, value) for partition, key, value in counts.changes())
    counts.commit()
    assert counts.get(0, "a") is None and stores.reads == 1


def test_a_batch_folded_before_the_last_one_committed_reads_its_changes() -> None:
    stores = CountingStores()
    counts = table(stores)
    counts.put(0, "a", Count(1))
    first = counts.changes()
    assert counts.get(0, "a") == Count(1)  # the next batch reads the closed one
    counts.put(0, "a", Count(2))
    counts.put(0, "b", Count(7))
    second = counts.changes()
    assert (first, second) == ([(0, "a", b'{"value":1}')], [(0, "a", b'{"value":2}'), (0, "b", b'{"value":7}')])
    assert stores.reads == 0  # the closed batch's key is read from it, not from the store


def test_closed_batches_commit_oldest_first() -> None:
    stores = MemoryStores()
    counts = table(stores)
    counts.put(0, "a", Count(1))
    stores.apply(("counts", p, k, v) for p, k, v in counts.changes())
    counts.put(0, "a", Count(2))
    counts.changes()
    counts.commit()
    assert counts.get(0, "a") == Count(2)  # the second batch, still open for its commit, is read first
    counts.commit()
    assert counts.get(0, "a") == Count(2)


def test_discarding_drops_every_batch_not_committed() -> None:
    stores = MemoryStores()
    stores.data[("counts", 0, "a")] = b'{"value": 5}'
    counts = table(stores)
    counts.put(0, "a", Count(1))
    counts.changes()
    counts.put(0, "a", Count(2))
    counts.changes()
    counts.put(0, "a", Count(3))
    counts.discard()
    assert counts.get(0, "a") == Count(5)
    counts.commit()  # nothing left to commit
    assert counts.get(0, "a") == Count(5)
