"""The rebuild's verification: it fails for a missing or a stale document, and tolerates newer live writes."""

from ops.rebuild.targets import by_order_and_version, one_document_per_event, one_document_per_view
from ops.rebuild.verify import checksum, verify

EXPECTED = {"ORD-1": 3, "ORD-2": 1, "ORD-3": 7}


def test_an_exact_index_verifies_with_equal_checksums() -> None:
    result = verify(EXPECTED, dict(EXPECTED))
    assert result.ok and result.expected_checksum == result.indexed_checksum
    assert result.expected_documents == result.indexed_documents == 3


def test_a_missing_document_fails() -> None:
    result = verify(EXPECTED, {"ORD-1": 3, "ORD-3": 7})
    assert not result.ok and result.missing == ["ORD-2"]
    assert any(line.startswith("missing: 1") for line in result.lines())


def test_a_stale_document_fails() -> None:
    result = verify(EXPECTED, {**EXPECTED, "ORD-3": 6})
    assert not result.ok and result.stale == ["ORD-3"]
    assert result.expected_checksum != result.indexed_checksum


def test_a_document_newer_than_the_replay_is_a_live_write_not_an_error() -> None:
    result = verify(EXPECTED, {**EXPECTED, "ORD-1": 4})
    assert result.ok and result.newer == 1


def test_the_checksum_ignores_order_but_not_versions() -> None:
    pairs = list(EXPECTED.items())
    assert checksum(pairs) == checksum(reversed(pairs))
    assert checksum(pairs) != checksum([("ORD-1", 4), *pairs[1:]])


def test_an_order_at_version_n_owes_n_event_documents() -> None:
    assert list(one_document_per_event("ORD-1", 3)) == [("ORD-1@1", 1), ("ORD-1@2", 2), ("ORD-1@3", 3)]
    assert list(one_document_per_view("ORD-1", 3)) == [("ORD-1", 3)]
    hit = {"_id": "evt", "_version": 2, "_source": {"order_id": "ORD-1", "version": 2}}
    assert by_order_and_version(hit) == ("ORD-1@2", 2)
