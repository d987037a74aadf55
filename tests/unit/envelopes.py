"""Command and event envelopes for the pure stream functions."""

import uuid
from datetime import UTC, datetime

from schemas.envelope import Envelope, Payload, envelope_type

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def envelope(payload: Payload, aggregate_id: str, version: int | None, occurred_at: datetime = AT,
             command_id: uuid.UUID | None = None) -> Envelope[Payload]:
    command_id = command_id or uuid.uuid4()
    return envelope_type(type(payload))(
        id=command_id, type=type(payload).__name__, aggregate_id=aggregate_id, version=version,
        occurred_at=occurred_at, command_id=command_id, correlation_id=command_id, actor="test", payload=payload,
    )


def command(payload: Payload, aggregate_id: str = "ORD-1", expected_version: int | None = None,
            command_id: uuid.UUID | None = None) -> Envelope[Payload]:
    return envelope(payload, aggregate_id, expected_version, command_id=command_id)
