"""Records as code of earlier schema versions wrote them, byte for byte, to read with today's code."""

import uuid
from datetime import datetime
from typing import Any

from pydantic_core import to_json

from schemas.envelope import event_id


def order_created_v1(order_id: str, occurred_at: datetime, command_id: uuid.UUID, **payload: Any) -> bytes:
    """An ``OrderCreated`` event before v2: no ``channel``. ``payload``: customer_id, currency and the optional
    customer, shipping_address and notes."""
    return to_json({
        "id": str(event_id(command_id, 1)), "type": "OrderCreated", "schema_version": 1, "aggregate_id": order_id,
        "version": 1, "occurred_at": occurred_at, "command_id": str(command_id), "correlation_id": str(command_id),
        "actor": "anonymous",
        "payload": {"customer": None, "shipping_address": None, "notes": None, **payload},
    })
