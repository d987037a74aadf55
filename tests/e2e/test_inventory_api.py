"""Stock over HTTP: receipts and adjustments and their answers, then the stock read back with its filters."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ops.launcher.services import AppService
from ops.settings import Settings
from schemas.topics import INVENTORY_EVENTS
from tests.e2e.ordering import SUBMIT, line, place_order
from tests.support import eventually, read_topic, unique_id

WAIT = {"wait": 15}
# The query API started with a per-SKU threshold sits this far above the stack's own query API port.
OVERRIDE_API_PORT_OFFSET = 100


def receive(commands: httpx.Client, sku: str, quantity: int, product_name: str | None = None,
            headers: dict[str, str] | None = None, wait: float = 15) -> httpx.Response:
    body: dict[str, Any] = {"quantity": quantity} | ({"product_name": product_name} if product_name else {})
    return commands.post(f"/inventory/{sku}/receipts", params={"wait": wait}, json=body, headers=headers)


def adjust(commands: httpx.Client, sku: str, delta: int, reason: str = "stock count",
           headers: dict[str, str] | None = None) -> httpx.Response:
    return commands.post(f"/inventory/{sku}/adjustments", params=WAIT,
                         json={"quantity_delta": delta, "reason": reason}, headers=headers)


def accepted(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "accepted"
    return body


def stock_events(settings: Settings, sku: str) -> list[dict[str, Any]]:
    return [json.loads(record.value()) for record in read_topic(settings.kafka_bootstrap, INVENTORY_EVENTS, sku.encode())]


# Commands


def test_the_first_receipt_is_created_and_later_ones_add_to_it(commands: httpx.Client) -> None:
    sku = unique_id("SKU")
    first = accepted(receive(commands, sku, 10, "Brass kettle"), 201)
    assert (first["aggregate_id"], first["version"]) == (sku, 1)
    [received] = first["events"]
    assert (received["type"], received["aggregate_id"], received["version"]) == ("StockReceived", sku, 1)
    assert received["payload"]["quantity"] == 10 and received["payload"]["product_name"] == "Brass kettle"
    assert received["payload"]["levels"] == {"on_hand": 10, "reserved": 0, "available": 10, "backordered": 0, "open_orders": 0}
    second = accepted(receive(commands, sku, 5))
    assert second["version"] == 2 and second["events"][0]["payload"]["levels"]["on_hand"] == 15


def test_adjustments_move_on_hand_stock_both_ways_but_never_below_zero(commands: httpx.Client) -> None:
    sku = unique_id("SKU")
    accepted(receive(commands, sku, 10), 201)
    down = accepted(adjust(commands, sku, -4, "two broken, two lost"))
    [adjusted] = down["events"]
    assert (down["version"], adjusted["type"]) == (2, "StockAdjusted")
    assert adjusted["payload"]["quantity_delta"] == -4 and adjusted["payload"]["reason"] == "two broken, two lost"
    assert adjusted["payload"]["levels"]["on_hand"] == 6
    assert accepted(adjust(commands, sku, 3))["events"][0]["payload"]["levels"]["available"] == 9
    refused = adjust(commands, sku, -10)
    assert refused.status_code == 409, refused.text
    assert (refused.json()["code"], refused.json()["version"], refused.json()["events"]) == ("insufficient_stock", 3, [])
    assert sku in refused.json()["reason"]


def test_adjusting_a_sku_never_received_is_not_found(commands: httpx.Client) -> None:
    response = adjust(commands, unique_id("SKU"), 5)
    assert response.status_code == 404, response.text
    assert (response.json()["code"], response.json()["version"]) == ("not_found", 0)


def test_if_match_guards_stock_commands(commands: httpx.Client) -> None:
    sku = unique_id("SKU")
    accepted(receive(commands, sku, 10), 201)
    stale = adjust(commands, sku, -1, headers={"If-Match": "5"})
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    assert accepted(receive(commands, sku, 1, headers={"If-Match": "1"}))["version"] == 2


def test_without_wait_a_receipt_is_202_and_decided_later(commands: httpx.Client) -> None:
    sku = unique_id("SKU")
    response = receive(commands, sku, 3, wait=0)
    assert response.status_code == 202, response.text
    assert response.json()["aggregate_id"] == sku
    status_url = response.json()["status_url"]
    decided = eventually(lambda: (body := commands.get(status_url).json())["status"] == "accepted" and body, timeout_s=60)
    assert decided["version"] == 1 and decided["events"][0]["type"] == "StockReceived"


def test_a_receipt_repeated_with_its_key_is_received_once(system: Settings, commands: httpx.Client) -> None:
    sku = unique_id("SKU")
    key = {"Idempotency-Key": unique_id("receipt")}
    answers = [receive(commands, sku, 7, "Copper pan", headers=key) for _ in range(3)]
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["command_id"] for answer in answers}) == 1
    assert accepted(receive(commands, sku, 1))["version"] == 2
    assert [event["type"] for event in stock_events(system, sku)] == ["StockReceived", "StockReceived"]
    other_body = receive(commands, sku, 8, "Copper pan", headers=key)
    assert other_body.status_code == 422
    assert other_body.json()["detail"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("receipts", {"quantity": 0}, "quantity"),
    ("receipts", {"quantity": -1}, "quantity"),
    ("receipts", {"product_name": "Lamp"}, "quantity"),
    ("receipts", {"quantity": 2, "product_name": ""}, "product_name"),
    ("adjustments", {"quantity_delta": 0, "reason": "count"}, "quantity_delta"),
    ("adjustments", {"quantity_delta": 2}, "reason"),
    ("adjustments", {"quantity_delta": "lots", "reason": "count"}, "quantity_delta"),
])
def test_bad_bodies_are_422_naming_the_field_and_change_nothing(
    commands: httpx.Client, path: str, body: dict[str, Any], field: str,
) -> None:
    sku = unique_id("SKU")
    response = commands.post(f"/inventory/{sku}/{path}", params=WAIT, json=body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["detail"]]
    assert adjust(commands, sku, 1).json()["code"] == "not_found"


@pytest.mark.parametrize("sku", ["-SKU", "SKU%201", "S" * 65])
def test_a_bad_sku_in_the_path_is_422(commands: httpx.Client, sku: str) -> None:
    response = commands.post(f"/inventory/{sku}/receipts", params=WAIT, json={"quantity": 1})
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["detail"]] == ["sku"]


# Reads


@dataclass(frozen=True)
class Stocked:
    word: str  # in every product name here, and nowhere else
    skus: dict[str, str]  # role -> SKU
    threshold: int  # the default low-stock threshold


@pytest.fixture(scope="module")
def stocked(system: Settings, commands: httpx.Client, queries: httpx.Client) -> Stocked:
    """Four SKUs around the default threshold t: t + 50 and t + 1 available (not low), t (low), t + 10 (not low by
    default, low under the override of t + 15 that ``override_queries`` gives it)."""
    word = f"quokka{unique_id('W')[-10:].lower()}"
    threshold = system.low_stock_threshold
    skus = {role: unique_id(f"SKU-{role.upper()}") for role in ("plenty", "at_threshold", "above", "override")}
    accepted(receive(commands, skus["plenty"], threshold + 50, f"{word} Lantern"), 201)
    accepted(receive(commands, skus["at_threshold"], threshold + 10, f"{word} Teapot"), 201)
    accepted(adjust(commands, skus["at_threshold"], -10, "shelf count"))
    accepted(receive(commands, skus["above"], threshold + 1, f"{word} Saucepan"), 201)
    accepted(receive(commands, skus["override"], threshold + 10, f"{word} Colander"), 201)
    versions = {skus["plenty"]: 1, skus["at_threshold"]: 2, skus["above"]: 1, skus["override"]: 1}

    def all_projected() -> bool:
        page = queries.get("/inventory", params={"q": word, "size": 100}).json()
        return {item["sku"]: item["version"] for item in page["data"]} == versions

    eventually(all_projected, timeout_s=90)
    return Stocked(word, skus, threshold)


def listed(queries: httpx.Client, **params: Any) -> dict[str, Any]:
    response = queries.get("/inventory", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_sku_reads_back_with_its_levels_and_flag(queries: httpx.Client, stocked: Stocked) -> None:
    sku = stocked.skus["at_threshold"]
    response = queries.get(f"/inventory/{sku}")
    assert response.status_code == 200, response.text
    item = response.json()
    assert {key: item[key] for key in ("sku", "product_name", "on_hand", "reserved", "available", "backordered",
                                       "open_orders", "version", "low_stock", "low_stock_threshold")} == {
        "sku": sku, "product_name": f"{stocked.word} Teapot", "on_hand": stocked.threshold, "reserved": 0,
        "available": stocked.threshold, "backordered": 0, "open_orders": 0, "version": 2, "low_stock": True,
        "low_stock_threshold": stocked.threshold,
    }
    above = queries.get(f"/inventory/{stocked.skus['above']}").json()
    assert (above["available"], above["low_stock"]) == (stocked.threshold + 1, False)


def test_an_unknown_sku_is_404_and_a_bad_one_422(queries: httpx.Client) -> None:
    assert queries.get(f"/inventory/{unique_id('SKU')}").status_code == 404
    bad = queries.get("/inventory/-SKU")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "sku"


def test_a_misspelt_product_name_finds_its_sku(queries: httpx.Client, stocked: Stocked) -> None:
    misspelt = f"{stocked.word} Lantren"
    page = listed(queries, q=misspelt)
    assert [item["sku"] for item in page["data"]] == [stocked.skus["plenty"]] and page["total"] == 1


def test_the_low_stock_filter_and_its_total_follow_the_default_threshold(queries: httpx.Client, stocked: Stocked) -> None:
    low = listed(queries, q=stocked.word, low_stock="true")
    assert [item["sku"] for item in low["data"]] == [stocked.skus["at_threshold"]] and low["total"] == 1
    assert all(item["low_stock"] for item in low["data"])
    rest = listed(queries, q=stocked.word, low_stock="false")
    expected = {stocked.skus[role] for role in ("plenty", "above", "override")}
    assert {item["sku"] for item in rest["data"]} == expected and rest["total"] == 3
    assert not any(item["low_stock"] for item in rest["data"])


def test_pages_follow_the_cursor_to_the_end_without_repeats(queries: httpx.Client, stocked: Stocked) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"q": stocked.word, "size": 1}
    for _ in range(10):
        page = listed(queries, **params)
        assert page["total"] == 4
        seen += [item["sku"] for item in page["data"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(stocked.skus.values())


@pytest.fixture(scope="module")
def override_queries(system: Settings, stocked: Stocked) -> Iterator[httpx.Client]:
    """A query API of the test's own, started with a threshold of t + 15 for the ``override`` SKU."""
    port = system.query_api_port + OVERRIDE_API_PORT_OFFSET
    settings = system.model_copy(update={
        "query_api_port": port, "low_stock_thresholds": {stocked.skus["override"]: stocked.threshold + 15}})
    service = AppService("query-api-low-stock-overrides", "query_api", "query_api_port")
    service.process(settings).stop()  # one left over by an interrupted run would have another SKU's threshold
    service.start(settings)
    try:
        service.wait_healthy(settings)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        service.process(settings).stop()


def test_a_per_sku_threshold_flags_and_filters_that_sku(override_queries: httpx.Client, stocked: Stocked) -> None:
    sku = stocked.skus["override"]
    item = override_queries.get(f"/inventory/{sku}").json()
    assert (item["available"], item["low_stock"], item["low_stock_threshold"]) == (
        stocked.threshold + 10, True, stocked.threshold + 15)
    low = listed(override_queries, q=stocked.word, low_stock="true")
    assert {item["sku"] for item in low["data"]} == {sku, stocked.skus["at_threshold"]} and low["total"] == 2
    rest = listed(override_queries, q=stocked.word, low_stock="false")
    assert {item["sku"] for item in rest["data"]} == {stocked.skus["plenty"], stocked.skus["above"]}
    assert rest["total"] == 2


def test_backorders_show_on_the_sku_and_filter_it(commands: httpx.Client, queries: httpx.Client) -> None:
    word = f"wombat{unique_id('W')[-10:].lower()}"
    short, stocked_up = unique_id("SKU-SHORT"), unique_id("SKU-FULL")
    accepted(receive(commands, short, 2, f"{word} Kettle"), 201)
    accepted(receive(commands, stocked_up, 10, f"{word} Whisk"), 201)
    place_order(commands, unique_id("C-INV"), [line(short, f"{word} Kettle", 5, "12.00")], [SUBMIT])

    def backordered() -> dict[str, Any] | None:
        response = queries.get(f"/inventory/{short}")
        return response.json() if response.status_code == 200 and response.json()["backordered"] == 3 else None

    item = eventually(backordered, timeout_s=90)
    assert (item["on_hand"], item["reserved"], item["available"], item["open_orders"]) == (2, 2, 0, 1)
    # A read by id is real time; search sees the change after the index's next refresh.
    with_backorders = eventually(lambda: (page := listed(queries, q=word, backordered="true"))["total"] and page)
    assert [item["sku"] for item in with_backorders["data"]] == [short] and with_backorders["total"] == 1
    without = listed(queries, q=word, backordered="false")
    assert [item["sku"] for item in without["data"]] == [stocked_up] and without["total"] == 1
