"""``GET /commands/{id}``: pending, then the outcome, and still the outcome after the API and the worker restart."""

import uuid

import httpx

from ops.launcher import stack
from ops.launcher.services import COMMAND_API, worker_services
from ops.settings import Settings
from tests.support import eventually, unique_id


def status_of(commands: httpx.Client, command_id: str) -> dict:
    response = commands.get(f"/commands/{command_id}")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_command_is_pending_or_decided_and_then_decided(commands: httpx.Client) -> None:
    accepted = commands.post("/orders", json={"customer_id": "C-STATUS"}).json()
    assert status_of(commands, accepted["command_id"])["status"] in {"pending", "accepted"}
    decided = eventually(lambda: (s := status_of(commands, accepted["command_id"]))["status"] == "accepted" and s, timeout_s=60)
    assert decided["aggregate_id"] == accepted["aggregate_id"]
    assert decided["version"] == 1 and decided["events"][0]["type"] == "OrderCreated"


def test_a_rejected_command_has_its_code_and_reason(commands: httpx.Client) -> None:
    response = commands.post(f"/orders/{unique_id('ORD')}/submit")
    command_id = response.json()["command_id"]
    status = eventually(lambda: (s := status_of(commands, command_id))["status"] != "pending" and s, timeout_s=60)
    assert status["status"] == "rejected" and status["code"] == "not_found" and status["reason"]


def test_an_unknown_command_is_404_and_a_bad_id_is_422(commands: httpx.Client) -> None:
    assert commands.get(f"/commands/{uuid.uuid4()}").status_code == 404
    bad = commands.get("/commands/not-a-uuid")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "command_id"


def test_outcomes_survive_a_restart_of_the_api_and_the_worker(system: Settings, commands: httpx.Client) -> None:
    order_id = unique_id("ORD")
    created = commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-1"}).json()
    refused = commands.post(f"/orders/{order_id}/submit", params={"wait": 15}).json()
    for service in (COMMAND_API, *worker_services(system)):
        assert service.process(system).stop()
    stack.up(system)
    assert status_of(commands, created["command_id"])["status"] == "accepted"
    assert status_of(commands, refused["command_id"])["code"] == "empty_order"
