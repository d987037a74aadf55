"""Sending a command: wrap it in the envelope, publish it, and optionally wait for the decision."""

import asyncio
import uuid
from dataclasses import dataclass

from producers.outcomes import OutcomeWatcher
from producers.publisher import KafkaPublisher
from schemas.envelope import Envelope, Payload, utc_now
from schemas.outcomes import CommandOutcome
from schemas.registry import COMMAND_ROUTES
from schemas.codec import encode


@dataclass(frozen=True)
class CommandContext:
    actor: str
    correlation_id: uuid.UUID
    expected_version: int | None = None
    command_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Sent:
    command: Envelope[Payload]
    outcome: CommandOutcome | None  # None: not asked to wait, or the wait ran out


def command_envelope(payload: Payload, context: CommandContext) -> Envelope[Payload]:
    route = COMMAND_ROUTES[type(payload).__name__]
    command_id = context.command_id or uuid.uuid4()
    return Envelope[type(payload)](  # type: ignore[misc]
        id=command_id, type=type(payload).__name__, aggregate_id=getattr(payload, route.aggregate_id_field),
        version=context.expected_version, occurred_at=utc_now(), command_id=command_id,
        correlation_id=context.correlation_id, actor=context.actor, payload=payload,
    )


class CommandBus:
    def __init__(self, publisher: KafkaPublisher, outcomes: OutcomeWatcher) -> None:
        self._publisher = publisher
        self._outcomes = outcomes

    async def send(self, payload: Payload, context: CommandContext, wait_s: float = 0.0) -> Sent:
        command = command_envelope(payload, context)
        route = COMMAND_ROUTES[command.type]
        if wait_s <= 0:
            await self._publisher.publish(route.topic, command.aggregate_id.encode(), encode(command))
            return Sent(command, None)
        pending = self._outcomes.expect(command.id)
        try:
            await self._publisher.publish(route.topic, command.aggregate_id.encode(), encode(command))
            outcome = await _within(pending, wait_s)
        finally:
            self._outcomes.forget(command.id, pending)
        return Sent(command, outcome)


async def _within(pending: asyncio.Future[CommandOutcome], wait_s: float) -> CommandOutcome | None:
    try:
        return await asyncio.wait_for(asyncio.shield(pending), timeout=wait_s)
    except TimeoutError:
        return None

