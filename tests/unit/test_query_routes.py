"""Query API wiring without servers: the read scope, parameter errors, read-your-writes and scrape-time gauges."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import HTTPException, Response
from prometheus_client import CollectorRegistry, generate_latest
from starlette.testclient import TestClient

from common.settings import ApiKey
from ops.settings import Settings
from query_api.app import create_app
from query_api.dependencies import found_or_404
from query_api.freshness import Read
from query_api.metrics import LAST_INDEXED_EVENT, ScrapedGauge, newest_event_body

NOW = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
ORDER = {"order_id": "ORD-1", "customer_id": "C-1", "status": "DRAFT", "total_amount": "0.00", "currency": "EUR",
         "amount_paid": "0.00", "created_at": NOW, "updated_at": NOW, "version": 5}
KEYS = {"reader": ApiKey(key="reader-secret", scopes=frozenset({"read"})),
        "shop": ApiKey(key="shop-secret", scopes=frozenset({"write"}))}
QUERY_ROUTES = ["/orders/ORD-1", "/orders/ORD-1/timeline", "/orders", "/stats/orders"]


class FakeSearch:
    """Finds one order by any id."""

    async def mget(self, index: str, ids: list[str]) -> dict[str, Any]:
        return {"docs": [{"_index": index, "_id": doc_id, "found": True, "_source": ORDER} for doc_id in ids]}


def client(api_keys: dict[str, ApiKey] | None = None) -> TestClient:
    """Without entering the lifespan: nothing reaches Kafka or Elasticsearch."""
    app = create_app(Settings(api_keys=api_keys or {}))
    app.state.es = FakeSearch()
    return TestClient(app)


@pytest.mark.parametrize("path", QUERY_ROUTES)
def test_every_query_route_needs_a_key_when_keys_are_configured(path: str) -> None:
    assert client(KEYS).get(path).status_code == 401


@pytest.mark.parametrize("path", QUERY_ROUTES)
def test_a_key_without_the_read_scope_is_forbidden(path: str) -> None:
    response = client(KEYS).get(path, headers={"Authorization": "Bearer shop-secret"})
    assert response.status_code == 403 and "'read'" in response.json()["detail"]


def test_a_key_with_the_read_scope_reads() -> None:
    response = client(KEYS).get("/orders/ORD-1", headers={"Authorization": "Bearer reader-secret"})
    assert response.status_code == 200 and response.json()["version"] == 5


def test_metrics_stay_open() -> None:
    assert client(KEYS).get("/metrics").status_code == 200


def test_a_version_already_reached_answers_at_once_and_fresh() -> None:
    response = client().get("/orders/ORD-1", params={"min_version": 3}, headers={"X-Min-Version": "5"})
    assert response.status_code == 200
    assert response.json()["stale"] is False and "X-Stale" not in response.headers


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/orders", {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
    ("/orders", {"min_total": "20", "max_total": "10"}, "min_total"),
    ("/orders", {"size": 0}, "size"),
    ("/orders", {"cursor": "not a cursor"}, "cursor"),
    ("/orders/ORD-1", {"min_version": 0}, "min_version"),
    ("/orders/ORD-1/timeline", {"size": 1001}, "size"),
    ("/stats/orders", {"interval": "year"}, "interval"),
    ("/stats/orders", {"from": "yesterday"}, "from"),
    ("/stats/orders", {"from": "2026-02-01", "to": "2026-01-01"}, "from"),
    ("/stats/orders", {"from": "2026-01-01", "to": "2026-03-01", "interval": "hour"}, "interval"),
    ("/stats/orders", {"interval": "1H"}, "interval"),
    # issue 14: each of these was a 500
    ("/orders", {"from": "0001-01-01T00:00:00+05:00"}, "from"),
    ("/stats/orders", {"to": "9999-12-31T23:59:59-05:00"}, "to"),
    ("/orders", {"cursor": "W10"}, "cursor"),
    ("/orders", {"cursor": "WzFlNDAwXQ"}, "cursor"),
    ("/inventory", {"cursor": "W10"}, "cursor"),
    ("/customers/C-1/orders", {"cursor": "W10"}, "cursor"),
    ("/orders", {"from": "1969-12-31T23:59:59Z"}, "from"),
    ("/orders", {"min_total": "1e400"}, "min_total"),
    ("/orders", {"max_total": "Infinity"}, "max_total"),
    ("/orders", {"min_total": "0.001"}, "min_total"),
    ("/orders", {"status": "shipped"}, "status.0"),
    ("/orders/ORD-1", {"min_version": 2**63}, "min_version"),
    ("/orders/ORD-1/timeline", {"after_version": 2**63}, "after_version"),
])
def test_a_bad_parameter_is_422_naming_it(path: str, params: dict[str, Any], field: str) -> None:
    response = client().get(path, params=params)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["detail"]] == [field]


def test_a_version_header_beyond_a_long_is_422_naming_it() -> None:
    response = client().get("/orders/ORD-1", headers={"X-Min-Version": str(2**63)})
    assert response.status_code == 422 and [error["field"] for error in response.json()["detail"]] == ["x-min-version"]


def test_a_date_out_of_range_says_which_range() -> None:
    response = client().get("/orders", params={"from": "0001-01-01T00:00:00+05:00"})
    assert "between 1970-01-01 and 9999-12-31 (UTC)" in response.json()["detail"][0]["reason"]


def test_a_stale_read_is_marked_in_a_header() -> None:
    response = Response()
    assert found_or_404(Read(ORDER, stale=True), response, "order ORD-1") is ORDER
    assert response.headers["X-Stale"] == "true"


def test_a_fresh_read_has_no_stale_header() -> None:
    response = Response()
    found_or_404(Read(ORDER), response, "order ORD-1")
    assert "X-Stale" not in response.headers


def test_nothing_found_is_404() -> None:
    with pytest.raises(HTTPException) as refused:
        found_or_404(Read(None), Response(), "order ORD-9")
    assert refused.value.status_code == 404 and "ORD-9" in str(refused.value.detail)


def gauge_text(read: Any) -> str:
    registry = CollectorRegistry()
    registry.register(ScrapedGauge(LAST_INDEXED_EVENT, "newest event", read))
    return generate_latest(registry).decode()


def unreachable() -> float:
    raise ConnectionError("Elasticsearch is away")


def test_the_newest_event_time_is_a_gauge_read_at_scrape_time() -> None:
    assert f"{LAST_INDEXED_EVENT} 1.7672256e+09" in gauge_text(lambda: 1767225600.0)


@pytest.mark.parametrize("read", [unreachable, lambda: None], ids=["unreachable", "no-events"])
def test_without_a_value_the_gauge_is_left_out_of_the_scrape(read: Any) -> None:
    assert f"\n{LAST_INDEXED_EVENT} " not in gauge_text(read)


def test_the_newest_event_is_the_first_by_occurred_at_descending() -> None:
    assert newest_event_body() == {"size": 1, "sort": [{"occurred_at": "desc"}], "_source": False,
                                   "track_total_hits": False}
