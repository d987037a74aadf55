"""Sending commands: wrap each in the envelope, publish it once, and optionally wait for the decision."""

import asyncio
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from producers.outcomes import OutcomeWatcher
from producers.publisher import KafkaPublisher, Record
from producers.store import CommandStore, IdempotencyRecord, PendingCommand
from schemas.codec import encode
from schemas.envelope import Envelope, Payload, utc_now
from schemas.outcomes import CommandOutcome
from schemas.registry import COMMAND_ROUTES

# Names the command ids derived from idempotency keys.
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c3f0e-4a57-4d1e-9a8e-2b0d3c5e7f19")


class IdempotencyMismatch(ValueError):
    """The idempotency key was used before with a different command."""


class PublishFailed(RuntimeError):
    """Kafka did not confirm the record."""


def idempotent_command_id(actor: str, key: str) -> uuid.UUID:
    """Keys are scoped per caller: two API keys may use the same idempotency key."""
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{actor}\n{key}")


@dataclass(frozen=True)
class CommandContext:
    actor: str
    correlation_id: uuid.UUID
    expected_version: int | None = None
    idempotency_key: str | None = None
    command_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self) -> None:
        if self.idempotency_key is not None:
            object.__setattr__(self, "command_id", idempotent_command_id(self.actor, self.idempotency_key))

    @property
    def idempotency_scope(self) -> str | None:
        return None if self.idempotency_key is None else str(self.command_id)


def new_aggregate_id(prefix: str, context: CommandContext) -> str:
    """From the command id, so a request repeated with its Idempotency-Key names the same aggregate."""
    return f"{prefix}-{context.command_id.hex[:12].upper()}"


@dataclass(frozen=True)
class Sent:
    command: Envelope[Payload]
    outcome: CommandOutcome | None  # None: not asked to wait, or the wait ran out


def command_envelope(payload: Payload, context: CommandContext) -> Envelope[Payload]:
    route = COMMAND_ROUTES[type(payload).__name__]
    return Envelope[type(payload)](  # type: ignore[misc]
        id=context.command_id, type=type(payload).__name__, aggregate_id=getattr(payload, route.aggregate_id_field),
        version=context.expected_version, occurred_at=utc_now(), command_id=context.command_id,
        correlation_id=context.correlation_id, actor=context.actor, payload=payload,
    )


def fingerprint(command: Envelope[Payload]) -> str:
    """What makes two requests the same command: type, expected version and payload (not ids or times)."""
    what = {"type": command.type, "version": command.version, "payload": command.payload.model_dump(mode="json")}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Outgoing:
    command: Envelope[Payload]
    idempotency_scope: str | None = None


class CommandBus:
    def __init__(self, publisher: KafkaPublisher, outcomes: OutcomeWatcher, store: CommandStore,
                 on_published: Callable[[Envelope[Payload]], None] = lambda command: None) -> None:
        self._publisher = publisher
        self._outcomes = outcomes
        self._store = store
        self._on_published = on_published
        self._in_flight: dict[str, asyncio.Future[None]] = {}

    async def send(self, payload: Payload, context: CommandContext, wait_s: float = 0.0) -> Sent:
        command = command_envelope(payload, context)
        if wait_s <= 0:
            await self._dispatch_one(Outgoing(command, context.idempotency_scope))
            return Sent(command, None)
        pending = self._outcomes.expect(command.id)
        try:
            await self._dispatch_one(Outgoing(command, context.idempotency_scope))
            outcome = await _within(pending, wait_s)
        finally:
            self._outcomes.forget(command.id, pending)
        return Sent(command, outcome)

    async def _dispatch_one(self, outgoing: Outgoing) -> None:
        error = (await self.dispatch([outgoing]))[0]
        if error is not None:
            raise error

    async def dispatch(self, batch: Sequence[Outgoing]) -> list[Exception | None]:
        """Publish each command once; returns, by position, why a command was not published (or None)."""
        errors: list[Exception | None] = [None] * len(batch)
        to_publish: list[int] = []
        followed: list[tuple[int, asyncio.Future[None]]] = []
        claimed: dict[str, asyncio.Future[None]] = {}
        for index, outgoing in enumerate(batch):
            claim = self._claim(outgoing, claimed)
            if isinstance(claim, Exception):
                errors[index] = claim
            elif isinstance(claim, asyncio.Future):
                followed.append((index, claim))
            elif claim:
                to_publish.append(index)
        try:
            failures = await self._publisher.publish_many([_record(batch[index].command) for index in to_publish])
            for index, failure in zip(to_publish, failures, strict=True):
                errors[index] = None if failure is None else PublishFailed(str(failure))
                self._settle(batch[index], failure is None, claimed)
        finally:
            for scope, future in claimed.items():
                self._in_flight.pop(scope, None)
                if not future.done():
                    future.set_exception(PublishFailed("the first request with this idempotency key failed"))
        for index, future in followed:
            errors[index] = await _failure_of(future)
        return errors

    def _claim(self, outgoing: Outgoing, claimed: dict[str, asyncio.Future[None]]) -> Exception | asyncio.Future[None] | bool:
        """Whether to publish: ``True``, ``False`` (already published), a future to follow, or why not."""
        scope = outgoing.idempotency_scope
        if scope is None:
            return True
        record = self._store.idempotency(scope)
        if record is not None and record.fingerprint != fingerprint(outgoing.command):
            return IdempotencyMismatch("this idempotency key was already used with a different command")
        if record is not None and record.published:
            return False
        if scope in claimed or scope in self._in_flight:
            return claimed.get(scope) or self._in_flight[scope]
        self._store.remember_idempotency(
            scope, IdempotencyRecord(fingerprint(outgoing.command), outgoing.command.id, outgoing.command.aggregate_id),
        )
        future = asyncio.get_running_loop().create_future()
        future.add_done_callback(_quiet)
        claimed[scope] = self._in_flight[scope] = future
        return True

    def _settle(self, outgoing: Outgoing, published: bool, claimed: dict[str, asyncio.Future[None]]) -> None:
        command = outgoing.command
        if published:
            self._store.mark_pending(PendingCommand(command.id, command.type, command.aggregate_id))
            self._on_published(command)
        scope = outgoing.idempotency_scope
        if scope is None or scope not in claimed:
            return
        if not published:
            self._store.forget_idempotency(scope)  # nothing happened: the key is free for any retry
            return
        record = self._store.idempotency(scope)
        if record is not None:
            self._store.remember_idempotency(scope, replace(record, published=True))
        claimed[scope].set_result(None)


def _record(command: Envelope[Payload]) -> Record:
    return Record(COMMAND_ROUTES[command.type].topic, command.aggregate_id.encode(), encode(command))


async def _failure_of(future: asyncio.Future[None]) -> Exception | None:
    try:
        await asyncio.shield(future)
    except Exception as error:  # noqa: BLE001 - handed back as this command's result
        return error
    return None


def _quiet(future: asyncio.Future[None]) -> None:
    """Followers read the failure; nobody has to, so it must not be reported as never retrieved."""
    if not future.cancelled():
        future.exception()


async def _within(pending: asyncio.Future[CommandOutcome], wait_s: float) -> CommandOutcome | None:
    try:
        return await asyncio.wait_for(asyncio.shield(pending), timeout=wait_s)
    except TimeoutError:
        return None
