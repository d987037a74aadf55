"""Customer commands over HTTP: register, update, and their refusals."""

import httpx
import pytest

from tests.support import unique_id


def register(commands: httpx.Client, customer_id: str, name: str = "Grace Hopper",
             email: str = "grace@example.com") -> httpx.Response:
    return commands.post("/customers", params={"wait": 15},
                         json={"customer_id": customer_id, "name": name, "email": email})


def test_registering_a_customer_answers_created_with_the_event(commands: httpx.Client) -> None:
    customer_id = unique_id("CUST")
    response = register(commands, customer_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["aggregate_id"] == customer_id and body["version"] == 1
    assert [(e["type"], e["payload"]) for e in body["events"]] == [
        ("CustomerRegistered", {"name": "Grace Hopper", "email": "grace@example.com"})]


def test_a_customer_without_an_id_gets_one(commands: httpx.Client) -> None:
    response = commands.post("/customers", params={"wait": 15}, json={"name": "Alan Turing", "email": "alan@example.com"})
    assert response.status_code == 201
    assert response.json()["aggregate_id"].startswith("CUST-")


def test_registering_the_same_id_twice_is_already_exists(commands: httpx.Client) -> None:
    customer_id = unique_id("CUST")
    assert register(commands, customer_id).status_code == 201
    again = register(commands, customer_id, name="Someone Else")
    assert again.status_code == 409 and again.json()["code"] == "already_exists"


def test_an_update_changes_only_what_differs(commands: httpx.Client) -> None:
    customer_id = unique_id("CUST")
    register(commands, customer_id)
    response = commands.patch(f"/customers/{customer_id}", params={"wait": 15},
                              json={"name": "Grace Hopper", "email": "g.hopper@example.com"})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["events"][0]["payload"] == {"name": None, "email": "g.hopper@example.com"}


def test_an_update_that_changes_nothing_is_refused(commands: httpx.Client) -> None:
    customer_id = unique_id("CUST")
    register(commands, customer_id)
    response = commands.patch(f"/customers/{customer_id}", params={"wait": 15}, json={"name": "Grace Hopper"})
    assert response.status_code == 409 and response.json()["code"] == "nothing_to_change"


def test_updating_an_unknown_customer_is_not_found(commands: httpx.Client) -> None:
    response = commands.patch(f"/customers/{unique_id('CUST')}", params={"wait": 15}, json={"name": "Nobody"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_if_match_guards_customer_updates(commands: httpx.Client) -> None:
    customer_id = unique_id("CUST")
    register(commands, customer_id)
    stale = commands.patch(f"/customers/{customer_id}", params={"wait": 15}, json={"name": "G. Hopper"},
                           headers={"If-Match": "3"})
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"


@pytest.mark.parametrize(("method", "body", "field"), [
    ("post", {"name": "Ada", "email": "not-an-email"}, "email"),
    ("post", {"email": "ada@example.com"}, "name"),
    ("post", {"name": "", "email": "ada@example.com"}, "name"),
    ("patch", {}, "body"),
    ("patch", {"email": "nope"}, "email"),
])
def test_invalid_customer_bodies_are_422_naming_the_field(commands: httpx.Client, method: str, body: dict, field: str) -> None:
    path = "/customers" if method == "post" else f"/customers/{unique_id('CUST')}"
    response = commands.request(method.upper(), path, json=body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]], response.json()
