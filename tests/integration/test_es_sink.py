"""The bulk sink against the real Elasticsearch: the document sink contract (``tests/contracts/document_sink.py``,
which the in-memory sink runs in the unit tests), and what it counts."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch, NotFoundError

from ops.settings import Settings
from streams.es_sink import ElasticsearchSink
from tests.contracts.document_sink import *  # noqa: F403 - the contract's tests, run here
from tests.contracts.document_sink import FIELD, IndexUnderTest


@pytest.fixture
def es(servers: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(servers.elasticsearch_url)
    yield client
    client.close()


@pytest.fixture
def index_under_test(es: Elasticsearch) -> Iterator[IndexUnderTest]:
    """An index of the test's own, strict as the read models' are."""
    name = f"test-sink-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=name, mappings={"dynamic": "strict", "properties": {FIELD: {"type": "keyword"}}})

    def read(doc_id: str) -> tuple[int, dict[str, Any]] | None:
        try:
            found = es.get(index=name, id=doc_id)
        except NotFoundError:
            return None
        return found["_version"], found["_source"]

    try:
        yield IndexUnderTest(ElasticsearchSink(es), name, read)
    finally:
        es.indices.delete(index=name)


def test_older_and_repeated_versions_are_counted_stale(index_under_test: IndexUnderTest) -> None:
    it = index_under_test
    sink = it.sink
    assert isinstance(sink, ElasticsearchSink)
    it.write(it.action("A", 2, "two"))
    it.write(it.action("A", 1, "one"), it.action("A", 2, "again"))
    assert (sink.written, sink.stale) == (1, 2)
