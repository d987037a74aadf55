"""Search over real orders: typo tolerance, combined filters, exact facets, cursor paging, 404 and 422."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.ordering import CONFIRM, SUBMIT, cancel, line, place_order
from tests.support import eventually, unique_id


@dataclass(frozen=True)
class Placed:
    customer_id: str
    product_name: str
    started: datetime
    ids: dict[str, str]  # role -> order id
    versions: dict[str, int]  # order id -> last version


@pytest.fixture(scope="module")
def placed(commands: httpx.Client, queries: httpx.Client) -> Placed:
    """Five orders of one new customer: totals 15, 80, 250, 5 and 1200 in five statuses."""
    customer_id = unique_id("C-Q")
    tag = customer_id[-10:].lower()
    product_name = f"Zanzibar{tag} Kettle"
    started = datetime.now(UTC)
    plans: dict[str, tuple[list[dict[str, Any]], list[Any]]] = {
        "small": ([line("P-W", "Widget", 1, "15.00")], [SUBMIT]),
        "kettle": ([line("P-K", product_name, 2, "40.00")], [SUBMIT]),
        "confirmed": ([line("P-W", "Widget", 1, "250.00")], [SUBMIT, CONFIRM]),
        "draft": ([line("P-W", "Widget", 1, "5.00")], []),
        "cancelled": ([line("P-W", "Widget", 1, "1200.00")], [SUBMIT, cancel("found a cheaper one")]),
    }
    ids: dict[str, str] = {}
    versions: dict[str, int] = {}
    for role, (items, steps) in plans.items():
        ids[role], versions[ids[role]] = place_order(commands, customer_id, items, steps)

    def all_projected() -> bool:
        found = queries.get("/orders", params={"customer_id": customer_id, "size": 100}).json()["data"]
        return {hit["order_id"]: hit["version"] for hit in found} == versions

    eventually(all_projected)
    return Placed(customer_id, product_name, started, ids, versions)


def search(queries: httpx.Client, **params: Any) -> dict[str, Any]:
    response = queries.get("/orders", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_misspelt_product_name_finds_the_order_with_a_highlight(queries: httpx.Client, placed: Placed) -> None:
    misspelt = placed.product_name.replace("Zanzibar", "Zanzbar").replace("Kettle", "Ketle")
    page = search(queries, q=misspelt, customer_id=placed.customer_id)
    assert [hit["order_id"] for hit in page["data"]] == [placed.ids["kettle"]]
    fragments = page["data"][0]["highlights"]["items.product_name"]
    assert any("<em>" in fragment and "Kettle" in fragment for fragment in fragments)


def test_filters_combine(queries: httpx.Client, placed: Placed) -> None:
    window = {"from": (placed.started - timedelta(minutes=1)).isoformat(),
              "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}
    page = search(queries, status=["SUBMITTED", "CONFIRMED"], customer_id=placed.customer_id,
                  min_total="50", max_total="300", **window)
    assert {hit["order_id"] for hit in page["data"]} == {placed.ids["kettle"], placed.ids["confirmed"]}
    assert page["total"] == 2


def test_a_window_after_the_orders_finds_none_of_them(queries: httpx.Client, placed: Placed) -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert search(queries, customer_id=placed.customer_id, **{"from": later})["total"] == 0


def test_facets_count_exactly(queries: httpx.Client, placed: Placed) -> None:
    page = search(queries, customer_id=placed.customer_id)
    assert page["total"] == 5
    assert page["facets"]["status"] == {"SUBMITTED": 2, "CONFIRMED": 1, "DRAFT": 1, "CANCELLED": 1}
    assert page["facets"]["total_ranges"] == {"under_50": 2, "50_to_200": 1, "200_to_1000": 1, "1000_and_over": 1}


def test_cursor_paging_visits_every_order_once_in_order(queries: httpx.Client, placed: Placed) -> None:
    seen: list[str] = []
    pages = 0
    cursor: str | None = None
    while True:
        params = {"customer_id": placed.customer_id, "sort": "total_desc", "size": 2} | ({"cursor": cursor} if cursor else {})
        page = search(queries, **params)
        pages += 1
        assert len(page["data"]) <= 2
        seen += [hit["order_id"] for hit in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [placed.ids[role] for role in ("cancelled", "confirmed", "kettle", "small", "draft")]


def test_the_detail_is_the_order_as_projected(queries: httpx.Client, placed: Placed) -> None:
    order_id = placed.ids["cancelled"]
    detail = queries.get(f"/orders/{order_id}").json()
    assert (detail["status"], detail["total_amount"], detail["version"]) == ("CANCELLED", "1200.00", placed.versions[order_id])
    assert detail["cancel_reason"] == "found a cheaper one" and detail["stale"] is False


@pytest.mark.parametrize("path", ["/orders/{id}", "/orders/{id}/timeline"])
def test_an_unknown_order_is_404(queries: httpx.Client, path: str) -> None:
    response = queries.get(path.format(id=unique_id("ORD-NONE")))
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]


@pytest.mark.parametrize(("params", "field"), [
    ({"size": 101}, "size"),
    ({"sort": "cheapest"}, "sort"),
    ({"min_total": "ten"}, "min_total"),
    ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
])
def test_bad_search_parameters_are_422_naming_them(queries: httpx.Client, params: dict[str, Any], field: str) -> None:
    response = queries.get("/orders", params=params)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == [field]
