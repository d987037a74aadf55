"""Sending commands: wrap each in the envelope, publish it once, and optionally wait for the decision."""

import asyncio
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from common.ids import random_uuid
from producers.ports import CommandPublisher, IdempotencyRecord, OutcomeFeed, PendingCommand, Record, SentCommands
from schemas.envelope import Payload, utc_now
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


class CommandContext:
    """Who sends a command and under which ids; an idempotency key fixes the command id."""

    __slots__ = ("actor", "correlation_id", "expected_version", "idempotency_key", "command_id")

    def __init__(self, actor: str, correlation_id: uuid.UUID, expected_version: int | None = None,
                 idempotency_key: str | None = None, command_id: uuid.UUID | None = None) -> None:
        self.actor = actor
        self.correlation_id = correlation_id
        self.expected_version = expected_version
        self.idempotency_key = idempotency_key
        self.command_id = (idempotent_command_id(actor, idempotency_key) if idempotency_key is not None
                           else command_id or random_uuid())

    @property
    def idempotency_scope(self) -> str | None:
        return None if self.idempotency_key is None else str(self.command_id)


def new_aggregate_id(prefix: str, context: CommandContext) -> str:
    """From the command id, so a request repeated with its Idempotency-Key names the same aggregate."""
    return f"{prefix}-{context.command_id.hex[:12].upper()}"


class Command(NamedTuple):
    """A command in its envelope, with the record that carries it to its topic."""

    id: uuid.UUID
    id_text: str  # str(id), needed several times per command
    type: str
    aggregate_id: str
    version: int | None  # the expected aggregate version, if any
    payload: Payload
    record: Record


@dataclass(frozen=True)
class Sent:
    command: Command
    outcome: CommandOutcome | None  # None: not asked to wait, or the wait ran out


def utc_timestamp() -> str:
    """Now, as the envelope's ``occurred_at`` is written."""
    return utc_now().isoformat().replace("+00:00", "Z")


def command_envelope(payload: Payload, context: CommandContext, occurred_at: str | None = None) -> Command:
    """The command and its record, the payload serialised once and the envelope written around it: what
    ``schemas.codec.encode`` gives for the same envelope, without building and validating the envelope model."""
    type_name = type(payload).__name__
    route = COMMAND_ROUTES[type_name]
    aggregate_id: str = getattr(payload, route.aggregate_id_field)
    id_text = str(context.command_id)
    version = "null" if context.expected_version is None else str(context.expected_version)
    head = (f'{{"id":"{id_text}","command_id":"{id_text}","type":"{type_name}",'
            f'"schema_version":{type(payload).schema_version},'
            f'"aggregate_id":{json.dumps(aggregate_id)},"version":{version},'
            f'"occurred_at":"{occurred_at or utc_timestamp()}","correlation_id":"{context.correlation_id}",'
            f'"actor":{json.dumps(context.actor)},"payload":')
    value = head.encode() + type(payload).__pydantic_serializer__.to_json(payload) + b"}"
    record = Record(route.topic, aggregate_id.encode(), value)
    return Command(context.command_id, id_text, type_name, aggregate_id, context.expected_version, payload, record)


def fingerprint(command: Command) -> str:
    """What makes two requests the same command: type, expected version and payload (not ids or times)."""
    what = f"{command.type}\n{command.version}\n".encode()
    return hashlib.sha256(what + type(command.payload).__pydantic_serializer__.to_json(command.payload)).hexdigest()


class Outgoing(NamedTuple):
    command: Command
    idempotency_scope: str | None = None


@dataclass
class _Claims:
    """How one dispatch goes: refused by position, to publish, following an earlier request, keys claimed."""

    size: int
    errors: list[Exception | None] = field(init=False)
    to_publish: list[int] = field(default_factory=list)
    followed: list[tuple[int, asyncio.Future[None]]] = field(default_factory=list)
    claimed: dict[str, asyncio.Future[None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.errors = [None] * self.size


class CommandBus:
    def __init__(self, publisher: CommandPublisher, outcomes: OutcomeFeed, store: SentCommands,
                 on_published: Callable[[Sequence[Command]], None] = lambda commands: None) -> None:
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
        claims, delivered = await self._enqueue(batch)
        return await self._settled(batch, claims, delivered)

    async def dispatch_in_order(self, batch: Sequence[Outgoing]) -> asyncio.Future[list[Exception | None]]:
        """Hand the batch's commands to the producer, in order, before returning; what is returned resolves to
        ``dispatch``'s answer once Kafka confirmed them, and goes on settling even if nobody awaits it."""
        claims, delivered = await self._enqueue(batch)
        return asyncio.ensure_future(self._settled(batch, claims, delivered))

    async def _enqueue(self, batch: Sequence[Outgoing]) -> tuple["_Claims", Awaitable[Sequence[object | None]]]:
        claims = _Claims(len(batch))
        for index, outgoing in enumerate(batch):
            claim = True if outgoing.idempotency_scope is None else self._claim(outgoing, claims.claimed)
            if isinstance(claim, Exception):
                claims.errors[index] = claim
            elif isinstance(claim, asyncio.Future):
                claims.followed.append((index, claim))
            elif claim:
                claims.to_publish.append(index)
        try:
            delivered = await self._publisher.enqueue([batch[index].command.record for index in claims.to_publish])
        except BaseException:
            self._release(claims)
            raise
        return claims, delivered

    async def _settled(self, batch: Sequence[Outgoing], claims: "_Claims",
                       delivered: Awaitable[Sequence[object | None]]) -> list[Exception | None]:
        try:
            failures = await delivered
            published: list[Command] = []
            for index, failure in zip(claims.to_publish, failures, strict=True):
                outgoing = batch[index]
                if failure is None:
                    published.append(outgoing.command)
                    self._store.mark_pending(PendingCommand(outgoing.command.id, outgoing.command.type,
                                                            outgoing.command.aggregate_id), outgoing.command.id_text)
                else:
                    claims.errors[index] = PublishFailed(_reason(failure))
                if outgoing.idempotency_scope in claims.claimed:
                    self._settle_key(outgoing, failure is None, claims.claimed)
            self._on_published(published)
        finally:
            self._release(claims)
        for index, future in claims.followed:
            claims.errors[index] = await _failure_of(future)
        return claims.errors

    def _release(self, claims: "_Claims") -> None:
        """Keys claimed and not settled fail their followers: the first request with the key did not go through."""
        for scope, future in claims.claimed.items():
            self._in_flight.pop(scope, None)
            if not future.done():
                future.set_exception(PublishFailed("the first request with this idempotency key failed"))

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

    def _settle_key(self, outgoing: Outgoing, published: bool, claimed: dict[str, asyncio.Future[None]]) -> None:
        scope = outgoing.idempotency_scope
        assert scope is not None
        if not published:
            self._store.forget_idempotency(scope)  # nothing happened: the key is free for any retry
            return
        record = self._store.idempotency(scope)
        if record is not None:
            self._store.remember_idempotency(scope, replace(record, published=True))
        claimed[scope].set_result(None)


def _reason(failure: object) -> str:
    """librdkafka's own sentence for a KafkaError, else the text of whatever was reported."""
    describe = getattr(failure, "str", None)
    return describe() if callable(describe) else str(failure)


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
