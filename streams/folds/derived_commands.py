"""Commands the worker derives from events for another aggregate. Pure.

Each derived command's id is a function of the event and the target, so a redelivered event derives the very same
commands, and the target's decider answers them as repeats.
"""

import uuid

from schemas.codec import encode
from schemas.envelope import Envelope, Payload, envelope_of, name_uuid
from schemas.registry import COMMAND_ROUTES
from streams.records import Record


def derived_command_id(event: Envelope[Payload], target: str) -> uuid.UUID:
    return name_uuid(event.id, target)


def derived_command(event: Envelope[Payload], payload: Payload, actor: str) -> Record:
    """``payload`` as a command caused by ``event``, for the topic and key its type is routed to. The payload is a
    validated model and the rest comes from a validated event: the envelope is not validated again."""
    route = COMMAND_ROUTES[type(payload).__name__]
    aggregate_id = getattr(payload, route.aggregate_id_field)
    command_id = derived_command_id(event, f"{type(payload).__name__}:{aggregate_id}")
    envelope = envelope_of(
        payload, id=command_id, aggregate_id=aggregate_id, version=None, occurred_at=event.occurred_at,
        command_id=command_id, correlation_id=event.correlation_id, actor=actor,
    )
    return Record(route.topic, aggregate_id.encode(), encode(envelope))
