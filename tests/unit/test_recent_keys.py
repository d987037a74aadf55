"""The command store's window of recently settled commands, which stands in for a RocksDB lookup per pending mark."""

from producers.store import RecentKeys


def test_the_window_holds_the_last_keys_added() -> None:
    recent = RecentKeys(3)
    for key in (b"a", b"b", b"c", b"d"):
        recent.add(key)
    assert [key in recent for key in (b"a", b"b", b"c", b"d", b"e")] == [False, True, True, True, False]
