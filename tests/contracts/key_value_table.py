"""The ``KeyValueTable`` contract (``streams.ports``): keys of named stores, per partition, holding bytes.

A test module runs these by importing them beside a ``table`` fixture for its adapter
(``tests/unit/test_adapter_contracts.py``: the memory stores and the rebuild's RocksDB folder).
"""

from streams.ports import KeyValueTable


def test_an_absent_key_reads_none(table: KeyValueTable) -> None:
    assert table.read("views", 0, "ORD-1") is None


def test_written_bytes_read_back_and_none_deletes(table: KeyValueTable) -> None:
    table.apply([("views", 0, "ORD-1", b'{"version":1}'), ("views", 0, "ORD-2", b"")])
    assert (table.read("views", 0, "ORD-1"), table.read("views", 0, "ORD-2")) == (b'{"version":1}', b"")
    table.apply([("views", 0, "ORD-1", None), ("views", 0, "ORD-3", None)])
    assert (table.read("views", 0, "ORD-1"), table.read("views", 0, "ORD-3")) == (None, None)


def test_stores_and_partitions_keep_their_keys_apart(table: KeyValueTable) -> None:
    table.apply([("views", 0, "K", b"a"), ("views", 1, "K", b"b"), ("behind", 0, "K", b"c")])
    assert [table.read(store, partition, "K") for store, partition in [("views", 0), ("views", 1), ("behind", 0)]] == [
        b"a", b"b", b"c"]
    assert table.read("behind", 1, "K") is None


def test_the_later_write_of_a_batch_wins(table: KeyValueTable) -> None:
    table.apply([("views", 0, "K", b"first"), ("views", 0, "K", b"second"), ("views", 0, "L", b"x"),
                 ("views", 0, "L", None)])
    assert (table.read("views", 0, "K"), table.read("views", 0, "L")) == (b"second", None)


def test_keys_are_any_text(table: KeyValueTable) -> None:
    keys = ["ORD-1", "with space", "ünïcødé-🧵", "a/b:c", "0b2f7c1e-6c3a-4b59-9d3e-1f2a3b4c5d6e"]
    table.apply([("views", 0, key, key.encode()) for key in keys])
    assert [table.read("views", 0, key) for key in keys] == [key.encode() for key in keys]
