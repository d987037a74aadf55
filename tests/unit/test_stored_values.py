"""Table values kept parsed by the worker: served only while the table holds the very bytes stored."""

import json

from streams.stored import StoredValues


def counting_values(size: int = 10) -> tuple[StoredValues[dict], list[bytes]]:
    parsed: list[bytes] = []

    def load(stored: bytes) -> dict:
        parsed.append(stored)
        return json.loads(stored)

    return StoredValues(load, lambda value: json.dumps(value).encode(), size), parsed


def test_a_value_read_back_as_stored_is_not_parsed_again() -> None:
    values, parsed = counting_values()
    stored = values.dump("A", {"n": 1})
    assert values.load("A", stored) == {"n": 1} and parsed == []


def test_a_value_someone_else_changed_is_parsed_from_the_table() -> None:
    values, parsed = counting_values()
    values.dump("A", {"n": 1})
    assert values.load("A", b'{"n": 2}') == {"n": 2} and parsed == [b'{"n": 2}']


def test_nothing_stored_is_none() -> None:
    values, _ = counting_values()
    values.dump("A", {"n": 1})
    assert values.load("A", None) is None


def test_only_the_most_recently_used_values_are_kept() -> None:
    values, parsed = counting_values(size=2)
    first, second = values.dump("A", {"n": 1}), values.dump("B", {"n": 2})
    values.load("A", first)
    values.dump("C", {"n": 3})
    assert values.load("A", first) == {"n": 1} and parsed == []
    assert values.load("B", second) == {"n": 2} and parsed == [second]
