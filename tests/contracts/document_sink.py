"""The ``DocumentSink`` contract (``streams.ports``): what every adapter does with a batch of documents.

A test module runs these by importing them beside an ``index_under_test`` fixture for its adapter: the in-memory
sink in ``tests/unit/test_adapter_contracts.py``, Elasticsearch's in ``tests/integration/test_es_sink.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streams.ports import DocumentSink
from streams.records import IndexAction

# The one field the index under test maps; it refuses any other (its mapping is strict, as the read models' are).
FIELD = "value"


@dataclass(frozen=True)
class IndexUnderTest:
    """A sink, an index of the test's own, and how to read one of its documents back: (version, source), or
    ``None`` when the index does not hold it."""

    sink: DocumentSink
    index: str
    read: Callable[[str], tuple[int, dict[str, Any]] | None]

    def action(self, doc_id: str, version: int, value: str, same_version: bool = False) -> IndexAction:
        return IndexAction(self.index, doc_id, version, {FIELD: value}, same_version=same_version)

    def write(self, *actions: IndexAction) -> list[str]:
        """The doc ids the sink refused."""
        return [failure.action.doc_id for failure in self.sink.write(list(actions))]


def test_a_document_is_written_at_its_version(index_under_test: IndexUnderTest) -> None:
    it = index_under_test
    assert it.write(it.action("A", 2, "two")) == []
    assert it.read("A") == (2, {FIELD: "two"}) and it.read("B") is None


def test_an_older_or_repeated_version_leaves_the_newer_document(index_under_test: IndexUnderTest) -> None:
    it = index_under_test
    it.write(it.action("A", 2, "two"))
    assert it.write(it.action("A", 1, "one")) == [] and it.write(it.action("A", 2, "again")) == []
    assert it.read("A") == (2, {FIELD: "two"})


def test_a_document_at_its_own_version_is_rewritten_only_when_asked(index_under_test: IndexUnderTest) -> None:
    it = index_under_test
    it.write(it.action("A", 3, "three"))
    it.write(it.action("A", 3, "three, behind", same_version=True))
    it.write(it.action("A", 2, "two", same_version=True))
    assert it.read("A") == (3, {FIELD: "three, behind"})


def test_of_several_versions_in_one_batch_the_newest_stays(index_under_test: IndexUnderTest) -> None:
    it = index_under_test
    assert it.write(it.action("A", 1, "one"), it.action("A", 3, "three"), it.action("A", 2, "two"),
                    it.action("B", 1, "b")) == []
    assert (it.read("A"), it.read("B")) == ((3, {FIELD: "three"}), (1, {FIELD: "b"}))


def test_a_document_the_mapping_refuses_is_reported_and_the_others_are_written(
        index_under_test: IndexUnderTest) -> None:
    it = index_under_test
    refused = it.sink.write([it.action("A", 1, "one"), IndexAction(it.index, "B", 1, {"unknown_field": 1})])
    assert [failure.action.doc_id for failure in refused] == ["B"]
    assert "strict_dynamic_mapping" in refused[0].reason
    assert it.read("A") == (1, {FIELD: "one"}) and it.read("B") is None


def test_when_the_newest_version_is_refused_the_older_one_is_written(index_under_test: IndexUnderTest) -> None:
    it = index_under_test
    refused = it.write(it.action("A", 1, "one"), IndexAction(it.index, "A", 2, {"unknown_field": 2}))
    assert refused == ["A"] and it.read("A") == (1, {FIELD: "one"})
