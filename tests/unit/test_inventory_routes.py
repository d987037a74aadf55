"""Stock query routes without servers: thresholds from the settings, 404, 422 naming the parameter, scopes, 503."""

from typing import Any

import pytest
from elasticsearch import ConnectionError as EsConnectionError
from starlette.testclient import TestClient

from common.settings import ApiKey
from ops.settings import Settings
from query_api.app import create_app
from schemas.mappings import INVENTORY

STOCK = {"sku": "SKU-1", "product_name": "Kettle", "on_hand": 12, "reserved": 4, "available": 8, "backordered": 0,
         "open_orders": 2, "updated_at": "2026-03-01T12:00:00Z", "version": 6}


class FakeSearch:
    """Knows one SKU; every search finds it and remembers the request."""

    def __init__(self) -> None:
        self.searches: list[dict[str, Any]] = []

    async def mget(self, index: str, ids: list[str]) -> dict[str, Any]:
        assert index == INVENTORY.alias
        return {"docs": [{"_id": sku, "found": True, "_source": STOCK} if sku == STOCK["sku"] else
                         {"_id": sku, "found": False} for sku in ids]}

    async def search(self, index: str, **body: Any) -> dict[str, Any]:
        self.searches.append({"index": index, **body})
        return {"hits": {"total": {"value": 1}, "hits": [{"_source": STOCK, "sort": ["SKU-1"]}]}}


class UnreachableSearch:
    async def search(self, index: str, **request: Any) -> dict[str, Any]:
        raise EsConnectionError("connection refused")

    mget = search


def client(es: Any = None, **settings: Any) -> TestClient:
    """Without entering the lifespan: nothing reaches Elasticsearch."""
    app = create_app(Settings(**settings))
    app.state.es = es or FakeSearch()
    return TestClient(app)


def test_a_sku_is_its_document_with_the_default_threshold() -> None:
    response = client(low_stock_threshold=8).get("/inventory/SKU-1")
    assert response.status_code == 200, response.text
    assert response.json() == {**STOCK, "behind": None, "low_stock": True, "low_stock_threshold": 8}


def test_a_per_sku_override_wins_over_the_default() -> None:
    body = client(low_stock_threshold=8, low_stock_thresholds={"SKU-1": 3}).get("/inventory/SKU-1").json()
    assert (body["low_stock"], body["low_stock_threshold"]) == (False, 3)


def test_an_unknown_sku_is_404() -> None:
    response = client().get("/inventory/SKU-NOPE")
    assert response.status_code == 404 and response.json()["detail"] == "SKU SKU-NOPE not found"


def test_the_list_filters_in_elasticsearch_with_the_configured_thresholds() -> None:
    es = FakeSearch()
    response = client(es, low_stock_threshold=8, low_stock_thresholds={"SKU-2": 30}).get(
        "/inventory", params={"q": " kettle ", "low_stock": "true", "backordered": "false", "size": 1})
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 1 and response.json()["data"][0]["low_stock"] is True
    assert response.json()["next_cursor"] is not None
    search = es.searches[0]
    assert search["index"] == INVENTORY.alias and search["size"] == 1
    low, not_backordered = search["query"]["bool"]["filter"]
    assert {"terms": {"sku": ["SKU-2"]}} in low["bool"]["should"][0]["bool"]["filter"]
    assert not_backordered == {"bool": {"must_not": [{"range": {"backordered": {"gt": 0}}}]}}
    assert search["query"]["bool"]["must"][0]["bool"]["should"][0]["match"]["product_name"]["query"] == "kettle"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/inventory", {"size": 0}, "size"),
    ("/inventory", {"size": 101}, "size"),
    ("/inventory", {"low_stock": "maybe"}, "low_stock"),
    ("/inventory", {"backordered": "sometimes"}, "backordered"),
    ("/inventory", {"cursor": "not a cursor"}, "cursor"),
    ("/inventory", {"q": "x" * 201}, "q"),
    ("/inventory/-bad", {}, "sku"),
    (f"/inventory/{'S' * 65}", {}, "sku"),
])
def test_a_bad_parameter_is_422_naming_it(path: str, params: dict[str, Any], field: str) -> None:
    es = FakeSearch()
    response = client(es).get(path, params=params)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["detail"]] == [field]
    assert es.searches == []


@pytest.mark.parametrize("path", ["/inventory", "/inventory/SKU-1"])
def test_reads_need_the_read_scope(path: str) -> None:
    keys = {"reader": ApiKey(key="reader-secret", scopes=frozenset({"read"})),
            "shop": ApiKey(key="shop-secret", scopes=frozenset({"write"}))}
    assert client(api_keys=keys).get(path).status_code == 401
    assert client(api_keys=keys).get(path, headers={"Authorization": "Bearer shop-secret"}).status_code == 403
    assert client(api_keys=keys).get(path, headers={"Authorization": "Bearer reader-secret"}).status_code == 200


@pytest.mark.parametrize("path", ["/inventory", "/inventory/SKU-1"])
def test_elasticsearch_out_of_reach_is_503(path: str) -> None:
    response = client(UnreachableSearch()).get(path)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"


def test_the_openapi_document_has_the_answer_models() -> None:
    spec = client().get("/openapi.json").json()
    detail = spec["paths"]["/inventory/{sku}"]["get"]["responses"]
    listing = spec["paths"]["/inventory"]["get"]["responses"]
    assert detail["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/StockItem")
    assert listing["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/StockPage")
    assert {"404", "422", "503"} <= set(detail) and "503" in listing
    assert {"low_stock", "low_stock_threshold", "available"} <= set(spec["components"]["schemas"]["StockItem"]["properties"])


def test_latency_is_measured_by_route_template() -> None:
    test_client = client()
    test_client.get("/inventory/SKU-1")
    metrics = test_client.get("/metrics").text
    assert 'orderflow_http_request_duration_seconds_count{method="GET",route="/inventory/{sku}",status="200"} 1.0' in metrics
