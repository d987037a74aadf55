"""Stock command routes without servers: the command each request builds, 422s naming the field, and the answers."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from common.settings import ApiKey
from ops.settings import Settings
from producers.app import create_app
from producers.commands import CommandContext, Sent, command_envelope
from schemas.envelope import Payload
from schemas.inventory import AdjustStock, ReceiveStock
from schemas.outcomes import CommandOutcome, OutcomeStatus

DECIDED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakeBus:
    """Records what it is sent and answers with ``outcome`` (``None``: as if the wait ran out)."""

    outcome: dict[str, Any] | None = None
    sent: list[tuple[Payload, CommandContext, float]] = field(default_factory=list)

    async def send(self, payload: Payload, context: CommandContext, wait_s: float = 0.0) -> Sent:
        self.sent.append((payload, context, wait_s))
        command = command_envelope(payload, context)
        if self.outcome is None:
            return Sent(command, None)
        return Sent(command, CommandOutcome(command_id=command.id, command_type=command.type,
                                            aggregate_id=command.aggregate_id, decided_at=DECIDED_AT, **self.outcome))


def client(bus: FakeBus, api_keys: dict[str, ApiKey] | None = None) -> TestClient:
    """Without entering the lifespan: nothing reaches Kafka."""
    app = create_app(Settings(api_keys=api_keys or {}))
    app.state.bus = bus
    return TestClient(app)


def event(version: int, type_: str = "StockReceived") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": type_, "aggregate_id": "SKU-1", "version": version, "payload": {}}


def test_a_receipt_is_receive_stock_for_the_sku_of_the_path() -> None:
    bus = FakeBus()
    response = client(bus).post("/inventory/SKU-1/receipts", json={"quantity": 25, "product_name": "Kettle"})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["aggregate_id"] == "SKU-1" and body["status_url"].endswith(f"/commands/{body['command_id']}")
    assert bus.sent[0][0] == ReceiveStock(sku="SKU-1", quantity=25, product_name="Kettle")


def test_an_adjustment_is_adjust_stock_with_the_signed_delta_and_the_headers() -> None:
    bus = FakeBus()
    response = client(bus).post("/inventory/SKU-1/adjustments?wait=3", json={"quantity_delta": -2, "reason": "damaged"},
                                headers={"If-Match": '"4"', "Idempotency-Key": "count-7"})
    assert response.status_code == 202, response.text
    payload, context, wait_s = bus.sent[0]
    assert payload == AdjustStock(sku="SKU-1", quantity_delta=-2, reason="damaged")
    assert (context.expected_version, context.idempotency_key, wait_s) == (4, "count-7", 3.0)


def test_a_sku_in_the_body_does_not_override_the_path() -> None:
    bus = FakeBus()
    client(bus).post("/inventory/SKU-1/receipts", json={"sku": "SKU-2", "quantity": 1})
    assert bus.sent[0][0].sku == "SKU-1"  # type: ignore[attr-defined]  # a stock command has a sku


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/inventory/SKU-1/receipts", {"quantity": 0}, "quantity"),
    ("/inventory/SKU-1/receipts", {"quantity": -3}, "quantity"),
    ("/inventory/SKU-1/receipts", {"quantity": 1_000_001}, "quantity"),
    ("/inventory/SKU-1/receipts", {"quantity": "many"}, "quantity"),
    ("/inventory/SKU-1/receipts", {}, "quantity"),
    ("/inventory/SKU-1/receipts", {"quantity": 1, "product_name": ""}, "product_name"),
    ("/inventory/SKU-1/adjustments", {"quantity_delta": 0, "reason": "count"}, "quantity_delta"),
    ("/inventory/SKU-1/adjustments", {"quantity_delta": 2.5, "reason": "count"}, "quantity_delta"),
    ("/inventory/SKU-1/adjustments", {"quantity_delta": 3}, "reason"),
    ("/inventory/SKU-1/adjustments", {"quantity_delta": 3, "reason": ""}, "reason"),
    ("/inventory/-SKU/receipts", {"quantity": 1}, "sku"),
    ("/inventory/SKU%201/adjustments", {"quantity_delta": 1, "reason": "count"}, "sku"),
    (f"/inventory/{'S' * 65}/receipts", {"quantity": 1}, "sku"),
])
def test_bad_bodies_and_skus_are_422_naming_the_field_and_send_nothing(path: str, body: dict[str, Any], field: str) -> None:
    bus = FakeBus()
    response = client(bus).post(path, json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert field in [error["field"] for error in errors] and all(error["reason"] for error in errors)
    assert bus.sent == []


@pytest.mark.parametrize(("outcome", "status"), [
    ({"status": OutcomeStatus.ACCEPTED, "version": 1, "events": [event(1)]}, 201),
    ({"status": OutcomeStatus.ACCEPTED, "version": 3, "events": [event(3)]}, 200),
    ({"status": OutcomeStatus.ACCEPTED, "version": 4, "events": [event(3, "StockAdjusted"), event(4, "BackorderFilled")]}, 200),
    ({"status": OutcomeStatus.REJECTED, "version": 2, "code": "insufficient_stock", "reason": "only 2 on hand"}, 409),
    ({"status": OutcomeStatus.REJECTED, "version": 0, "code": "not_found", "reason": "SKU SKU-1 does not exist"}, 404),
])
def test_a_decision_answers_with_its_status_code(outcome: dict[str, Any], status: int) -> None:
    response = client(FakeBus(outcome)).post("/inventory/SKU-1/adjustments?wait=5",
                                             json={"quantity_delta": 1, "reason": "count"})
    assert response.status_code == status, response.text
    assert response.json()["version"] == outcome["version"]
    assert response.json()["code"] == outcome.get("code")


def test_the_first_receipt_of_a_sku_is_created_a_later_one_ok() -> None:
    first = client(FakeBus({"status": OutcomeStatus.ACCEPTED, "version": 1, "events": [event(1)]}))
    later = client(FakeBus({"status": OutcomeStatus.ACCEPTED, "version": 2, "events": [event(2)]}))
    assert first.post("/inventory/SKU-1/receipts?wait=5", json={"quantity": 5}).status_code == 201
    assert later.post("/inventory/SKU-1/receipts?wait=5", json={"quantity": 5}).status_code == 200


def test_stock_commands_need_the_write_scope() -> None:
    keys = {"dash": ApiKey(key="dash-secret", scopes=frozenset({"read"}))}
    bus = FakeBus()
    response = client(bus, keys).post("/inventory/SKU-1/receipts", json={"quantity": 1},
                                      headers={"Authorization": "Bearer dash-secret"})
    assert response.status_code == 403 and "'write'" in response.json()["detail"]
    assert bus.sent == []


def test_the_openapi_document_has_both_routes_with_examples_and_answers() -> None:
    spec = client(FakeBus()).get("/openapi.json").json()
    receipts = spec["paths"]["/inventory/{sku}/receipts"]["post"]
    adjustments = spec["paths"]["/inventory/{sku}/adjustments"]["post"]
    assert {"201", "202", "404", "409", "422"} <= set(receipts["responses"])
    assert "201" not in adjustments["responses"] and {"202", "404", "409"} <= set(adjustments["responses"])
    schemas = spec["components"]["schemas"]
    assert schemas["ReceiptBody"]["examples"] == [{"quantity": 25, "product_name": "Mechanical keyboard"}]
    assert schemas["AdjustmentBody"]["examples"][0]["quantity_delta"] == -2
    sku = next(param for param in receipts["parameters"] if param["name"] == "sku")
    assert sku["schema"]["pattern"] == r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
