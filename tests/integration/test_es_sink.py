"""The bulk sink against the real Elasticsearch: external versions never move a document backwards; a document
whose view stays at its version (it fell behind) is rewritten at that version."""

import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from ops.settings import Settings
from streams.es_sink import ElasticsearchSink
from streams.records import IndexAction


@pytest.fixture
def index(servers: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    es = Elasticsearch(servers.elasticsearch_url)
    name = f"test-sink-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=name, mappings={"properties": {"value": {"type": "keyword"}}})
    try:
        yield es, name
    finally:
        es.indices.delete(index=name)
        es.close()


def test_an_older_or_repeated_version_leaves_the_newer_document(index: tuple[Elasticsearch, str]) -> None:
    es, name = index
    sink = ElasticsearchSink(es)
    assert sink.write([IndexAction(name, "A", 2, {"value": "two"})]) == []
    assert sink.write([IndexAction(name, "A", 1, {"value": "one"}), IndexAction(name, "A", 2, {"value": "again"})]) == []
    document = es.get(index=name, id="A")
    assert document["_version"] == 2 and document["_source"] == {"value": "two"}
    assert sink.stale == 2


def test_a_document_at_the_same_version_is_rewritten_only_when_asked(index: tuple[Elasticsearch, str]) -> None:
    es, name = index
    sink = ElasticsearchSink(es)
    sink.write([IndexAction(name, "A", 3, {"value": "three"})])
    sink.write([IndexAction(name, "A", 3, {"value": "three, behind"}, same_version=True)])
    sink.write([IndexAction(name, "A", 2, {"value": "two"}, same_version=True)])
    document = es.get(index=name, id="A")
    assert document["_version"] == 3 and document["_source"] == {"value": "three, behind"}


def test_a_document_the_mapping_refuses_is_reported_not_dropped(index: tuple[Elasticsearch, str]) -> None:
    es, name = index
    es.indices.put_mapping(index=name, dynamic="strict")
    failed = ElasticsearchSink(es).write([IndexAction(name, "B", 1, {"unknown_field": 1})])
    assert [failure.action.doc_id for failure in failed] == ["B"]
    assert "strict_dynamic_mapping" in failed[0].reason
