"""Command API answers over HTTP: accepted, decided, refused, invalid."""

import httpx
import pytest

from tests.support import unique_id

ITEM = {"product_id": "P-1", "product_name": "Widget", "quantity": 1, "unit_price": "10.00"}


def create(commands: httpx.Client, **extra: object) -> str:
    order_id = unique_id("ORD")
    response = commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-1", **extra})
    assert response.status_code == 201, response.text
    return order_id


def test_without_wait_the_command_is_accepted_for_processing(commands: httpx.Client) -> None:
    response = commands.post("/orders", json={"customer_id": "C-1"})
    assert response.status_code == 202
    body = response.json()
    assert body["aggregate_id"].startswith("ORD-")
    assert body["status_url"].endswith(f"/commands/{body['command_id']}")


def test_a_created_order_answers_with_version_and_events(commands: httpx.Client) -> None:
    order_id = unique_id("ORD")
    response = commands.post("/orders", params={"wait": 15},
                             json={"order_id": order_id, "customer_id": "C-1", "items": [ITEM]})
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 2
    assert [event["type"] for event in body["events"]] == ["OrderCreated", "ItemAdded"]
    assert commands.get(f"/commands/{body['command_id']}").json()["status"] == "accepted"


def test_creating_the_same_order_twice_is_a_conflict(commands: httpx.Client) -> None:
    order_id = create(commands)
    again = commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-1"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_exists"


def test_a_command_for_an_unknown_order_is_not_found(commands: httpx.Client) -> None:
    response = commands.post(f"/orders/{unique_id('ORD')}/items", params={"wait": 15}, json=ITEM)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_submitting_an_empty_order_is_refused_with_a_code_and_a_reason(commands: httpx.Client) -> None:
    response = commands.post(f"/orders/{create(commands)}/submit", params={"wait": 15})
    assert response.status_code == 409
    assert response.json()["code"] == "empty_order" and response.json()["reason"]


def test_if_match_with_a_stale_version_is_a_version_conflict(commands: httpx.Client) -> None:
    order_id = create(commands)
    stale = commands.post(f"/orders/{order_id}/items", params={"wait": 15}, json=ITEM, headers={"If-Match": "7"})
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    current = commands.post(f"/orders/{order_id}/items", params={"wait": 15}, json=ITEM, headers={"If-Match": "1"})
    assert current.status_code == 200 and current.json()["version"] == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"product_id": "P-1", "product_name": "Widget", "quantity": 0, "unit_price": "1.00"}, "quantity"),
    ({"product_id": "P-1", "product_name": "Widget", "quantity": 1, "unit_price": "-1"}, "unit_price"),
    ({"product_id": "P-1", "quantity": 1, "unit_price": "1.00"}, "product_name"),
])
def test_an_invalid_body_is_422_naming_the_field(commands: httpx.Client, body: dict, field: str) -> None:
    response = commands.post(f"/orders/{unique_id('ORD')}/items", json=body)
    assert response.status_code == 422
    assert any(error["loc"][-1] == field for error in response.json()["detail"])
