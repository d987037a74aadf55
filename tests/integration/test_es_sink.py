"""The bulk sink against the real Elasticsearch: external versions never move a document backwards."""

import uuid
from collections.abc import AsyncIterator

import pytest
from elasticsearch import AsyncElasticsearch

from ops.settings import Settings
from streams.es_sink import ElasticsearchSink, IndexAction


@pytest.fixture
async def index(servers: Settings) -> AsyncIterator[tuple[AsyncElasticsearch, str]]:
    es = AsyncElasticsearch(servers.elasticsearch_url)
    name = f"test-sink-{uuid.uuid4().hex[:8]}"
    await es.indices.create(index=name, mappings={"properties": {"value": {"type": "keyword"}}})
    try:
        yield es, name
    finally:
        await es.indices.delete(index=name)
        await es.close()


async def test_an_older_or_repeated_version_leaves_the_newer_document(index: tuple[AsyncElasticsearch, str]) -> None:
    es, name = index
    sink = ElasticsearchSink(es)
    assert await sink.write([IndexAction(name, "A", 2, {"value": "two"})]) == []
    assert await sink.write([IndexAction(name, "A", 1, {"value": "one"}), IndexAction(name, "A", 2, {"value": "again"})]) == []
    document = await es.get(index=name, id="A")
    assert document["_version"] == 2 and document["_source"] == {"value": "two"}
    assert sink.stale == 2


async def test_a_document_the_mapping_refuses_is_reported_not_dropped(index: tuple[AsyncElasticsearch, str]) -> None:
    es, name = index
    await es.indices.put_mapping(index=name, dynamic="strict")
    failed = await ElasticsearchSink(es).write([IndexAction(name, "B", 1, {"unknown_field": 1})])
    assert [failure.action.doc_id for failure in failed] == ["B"]
    assert "strict_dynamic_mapping" in failed[0].reason
