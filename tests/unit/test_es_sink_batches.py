"""The bulk sink sends each document's newest version once; the older ones only if the newest is refused."""

import json
from typing import Any

from streams.es_sink import ElasticsearchSink, IndexAction, bulk_lines, newest_per_document


class Response:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body


class FakeElasticsearch:
    """Answers each bulk item 201, or 400 for the (doc_id, version) pairs it is told to refuse."""

    def __init__(self, refuse: set[tuple[str, int]] = frozenset()) -> None:
        self.refuse = refuse
        self.sent: list[list[tuple[str, int]]] = []

    async def bulk(self, operations: list[bytes]) -> Response:
        headers = [json.loads(line)["index"] for line in operations[::2]]
        self.sent.append([(header["_id"], header["version"]) for header in headers])
        return Response({"items": [{"index": self._answer(header)} for header in headers]})

    def _answer(self, header: dict[str, Any]) -> dict[str, Any]:
        if (header["_id"], header["version"]) in self.refuse:
            return {"status": 400, "error": {"type": "mapper_parsing_exception", "reason": "bad field"}}
        return {"status": 201}


def action(doc_id: str, version: int, index: str = "orders") -> IndexAction:
    return IndexAction(index, doc_id, version, {"id": doc_id, "version": version})


def test_newest_per_document_keeps_order_and_the_later_of_equal_versions() -> None:
    later_equal = action("A", 2)
    actions = [action("A", 1), action("B", 1), action("A", 2), action("A", 1, index="events"), later_equal]
    newest, superseded = newest_per_document(actions)
    assert newest == [actions[1], actions[3], later_equal] and newest[-1] is later_equal
    assert superseded == [actions[0], actions[2]]


def test_bulk_lines_are_the_external_version_header_and_the_document() -> None:
    header, document = bulk_lines([action("A", 3)])
    assert json.loads(header) == {"index": {"_index": "orders", "_id": "A", "version": 3, "version_type": "external"}}
    assert json.loads(document) == {"id": "A", "version": 3}


async def test_only_the_newest_version_of_a_document_is_sent() -> None:
    client = FakeElasticsearch()
    sink = ElasticsearchSink(client)  # type: ignore[arg-type]
    assert await sink.write([action("A", 1), action("B", 1), action("A", 2)]) == []
    assert client.sent == [[("B", 1), ("A", 2)]] and (sink.written, sink.stale) == (2, 1)


async def test_when_the_newest_is_refused_the_older_versions_are_written_after_all() -> None:
    client = FakeElasticsearch(refuse={("A", 3)})
    sink = ElasticsearchSink(client)  # type: ignore[arg-type]
    failed = await sink.write([action("A", 1), action("A", 2), action("A", 3)])
    assert [(failure.action.doc_id, failure.action.version) for failure in failed] == [("A", 3)]
    assert "bad field" in failed[0].reason
    assert client.sent == [[("A", 3)], [("A", 2)]] and (sink.written, sink.stale) == (1, 1)
