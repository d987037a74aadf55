"""The bulk sink sends each document's newest version once; the older ones only if the newest is refused; it
waits out an unavailable Elasticsearch through the wait it is given and halves a request that is too large."""

import json
from typing import Any

from elastic_transport import ApiResponseMeta, ConnectionError, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from streams.engine.health import LoopHealth
from streams.es_sink import ELASTICSEARCH, ElasticsearchSink, bulk_lines
from streams.records import IndexAction, newest_per_document


class Response:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body


class FakeElasticsearch:
    """Answers each bulk item 201, or 400 for the (doc_id, version) pairs it is told to refuse."""

    def __init__(self, refuse: set[tuple[str, int]] = frozenset(), failures: list[Exception] | None = None,
                 max_documents: int | None = None) -> None:
        self.refuse = refuse
        self.failures = failures or []
        self.max_documents = max_documents
        self.sent: list[list[tuple[str, int]]] = []

    def bulk(self, operations: list[bytes], filter_path: str | None = None) -> Response:
        if self.failures:
            raise self.failures.pop(0)
        if self.max_documents is not None and len(operations) // 2 > self.max_documents:
            raise api_error(413)
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


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0,
                           node=NodeConfig("http", "localhost", 9200))
    return ApiError(f"status {status}", meta=meta, body={})


def test_only_the_newest_version_of_a_document_is_sent() -> None:
    client = FakeElasticsearch()
    sink = ElasticsearchSink(client)  # type: ignore[arg-type]  # a fake client
    assert sink.write([action("A", 1), action("B", 1), action("A", 2)]) == []
    assert client.sent == [[("B", 1), ("A", 2)]] and (sink.written, sink.stale) == (2, 1)


def test_when_the_newest_is_refused_the_older_versions_are_written_after_all() -> None:
    client = FakeElasticsearch(refuse={("A", 3)})
    sink = ElasticsearchSink(client)  # type: ignore[arg-type]  # a fake client
    failed = sink.write([action("A", 1), action("A", 2), action("A", 3)])
    assert [(failure.action.doc_id, failure.action.version) for failure in failed] == [("A", 3)]
    assert "bad field" in failed[0].reason
    assert client.sent == [[("A", 3)], [("A", 2)]] and (sink.written, sink.stale) == (1, 1)


def test_an_unavailable_elasticsearch_is_waited_out_and_reported_while_it_lasts() -> None:
    client = FakeElasticsearch(failures=[ConnectionError("refused"), api_error(503), api_error(401)])
    health = LoopHealth("projectors")
    waits: list[float] = []
    problems: list[dict[str, str]] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        problems.append(health.problems())

    sink = ElasticsearchSink(client, health)  # type: ignore[arg-type]  # a fake client
    assert sink.write([action("A", 1)], wait) == []
    assert len(waits) == 3 and waits == sorted(waits)
    assert all(ELASTICSEARCH in seen for seen in problems) and "401" in problems[-1][ELASTICSEARCH]
    assert health.problems() == {} and client.sent == [[("A", 1)]]


def test_a_request_too_large_is_sent_in_halves() -> None:
    client = FakeElasticsearch(max_documents=2)
    sink = ElasticsearchSink(client)  # type: ignore[arg-type]  # a fake client
    assert sink.write([action(name, 1) for name in "ABCDE"]) == []
    assert sorted(doc for request in client.sent for doc, _ in request) == list("ABCDE")
    assert all(len(request) <= 2 for request in client.sent)
