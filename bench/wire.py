"""Planned commands as the command API takes them: one HTTP request each, or one NDJSON line each."""

import json
from dataclasses import dataclass
from typing import Any

from bench.orders import PlannedCommand

# Command type -> path suffix after /orders/{id}; CreateOrder is POST /orders itself.
ORDER_PATHS = {
    "AddItem": "items", "SubmitOrder": "submit", "RecordPayment": "payments", "ConfirmOrder": "confirm",
    "ShipOrder": "ship", "DeliverOrder": "deliver", "CancelOrder": "cancel",
}


@dataclass(frozen=True)
class HttpCommand:
    path: str
    body: dict[str, Any]


def http_command(command: PlannedCommand) -> HttpCommand:
    if command.type == "CreateOrder":
        return HttpCommand("/orders", command.payload)
    body = {key: value for key, value in command.payload.items() if key != "order_id"}
    return HttpCommand(f"/orders/{command.order_id}/{ORDER_PATHS[command.type]}", body)


def batch_line(command: PlannedCommand) -> bytes:
    return json.dumps({"type": command.type, "payload": command.payload}, separators=(",", ":")).encode() + b"\n"
