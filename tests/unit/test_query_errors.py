"""Elasticsearch failures as the caller sees them: 422 for a refused request, 503 with Retry-After when it is busy
or away, 502 with a logged error id for anything else; an unexpected exception is a 500 with an error id."""

import logging
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import (
    ApiError,
    BadRequestError,
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
    SerializationError,
)
from starlette.testclient import TestClient

from ops.settings import Settings
from query_api.app import create_app

READS = ["/orders", "/orders/ORD-1", "/orders/ORD-1/timeline", "/stats/orders", "/customers", "/customers/C-1",
         "/customers/C-1/orders", "/inventory", "/inventory/SKU-1"]
PARSE_FAILURE = {"error": {
    "root_cause": [{"type": "parse_exception", "reason": "failed to parse date field [abc]"}],
    "type": "search_phase_execution_exception", "reason": "all shards failed",
}, "status": 400}


def api_error(kind: type[ApiError], status: int, body: Any) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "127.0.0.1", 9200))
    return kind(str(status), meta, body)


class FailingSearch:
    """Every request raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def search(self, index: str, **request: Any) -> dict[str, Any]:
        raise self.error

    mget = search


def client(es: Any) -> TestClient:
    app = create_app(Settings())
    app.state.es = es
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("path", READS)
def test_a_request_elasticsearch_refuses_is_422_with_its_reason(path: str) -> None:
    response = client(FailingSearch(api_error(BadRequestError, 400, PARSE_FAILURE))).get(path)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["field"] == "query" and "failed to parse date field [abc]" in error["reason"]


@pytest.mark.parametrize("error", [
    api_error(ApiError, 429, {"error": "too many requests"}),
    api_error(ApiError, 503, {"error": "unavailable"}),
    ConnectionError("connection refused"),
    ConnectionTimeout("timed out"),
], ids=["429", "503", "connection", "timeout"])
@pytest.mark.parametrize("path", READS)
def test_elasticsearch_busy_or_away_is_503_with_retry_after(path: str, error: Exception) -> None:
    response = client(FailingSearch(error)).get(path)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5" and "try again" in response.json()["detail"]


@pytest.mark.parametrize("error", [
    api_error(ApiError, 500, {"error": "boom"}),
    api_error(NotFoundError, 404, {"error": {"type": "index_not_found_exception", "reason": "no such index"}}),
    SerializationError("cannot read the answer"),
], ids=["500", "missing-index", "serialization"])
@pytest.mark.parametrize("path", READS)
def test_any_other_elasticsearch_failure_is_502_with_an_error_id_in_the_log(
    path: str, error: Exception, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client(FailingSearch(error)).get(path)
    assert response.status_code == 502, response.text
    error_id = response.json()["error_id"]
    assert error_id in response.json()["detail"] and error_id in caplog.text


def test_an_error_in_place_of_a_document_is_502() -> None:
    class MissingIndex:
        async def mget(self, index: str, ids: list[str]) -> dict[str, Any]:
            return {"docs": [{"_id": ids[0], "error": {"type": "index_not_found_exception"}}]}

    response = client(MissingIndex()).get("/orders/ORD-1")
    assert response.status_code == 502 and response.json()["error_id"]


def test_an_unexpected_exception_is_500_with_an_error_id_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        response = client(FailingSearch(RuntimeError("a bug"))).get("/orders")
    assert response.status_code == 500
    assert response.json()["error_id"] in caplog.text and "a bug" in caplog.text


@pytest.mark.parametrize("order_id", [".", ".."])
def test_a_dot_id_is_looked_up_as_an_id_not_a_path(order_id: str) -> None:
    class Recording:
        ids: list[str] = []

        async def mget(self, index: str, ids: list[str]) -> dict[str, Any]:
            self.ids += ids
            return {"docs": [{"_id": ids[0], "found": False}]}

    es = Recording()
    assert client(es).get(f"/orders/{order_id.replace('.', '%2E')}").status_code == 404
    assert es.ids == [order_id]
