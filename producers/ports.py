"""What the command API's core (``producers.commands.CommandBus``, ``producers.batch``, the outcome follower) needs
from outside, as small Protocols, and the values they speak in.

The adapters: Kafka (``producers.publisher``, ``producers.outcomes``) and RocksDB (``producers.store``), built only
in the composition root (``producers.app``); and in memory (``producers.memory``) for tests.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from schemas.outcomes import CommandOutcome, RawOutcome


class Record(NamedTuple):
    topic: str
    key: bytes
    value: bytes


class PendingCommand(NamedTuple):
    command_id: uuid.UUID
    command_type: str
    aggregate_id: str


@dataclass(frozen=True)
class IdempotencyRecord:
    fingerprint: str
    command_id: uuid.UUID
    aggregate_id: str
    published: bool = False


class CommandPublisher(Protocol):
    async def enqueue(self, records: Sequence[Record]) -> Awaitable[Sequence[object | None]]:
        """Hand every record to the log, in order; what is returned resolves once each is stored or refused (the
        reasons by position, ``None``: stored)."""
        ...


class OutcomeFeed(Protocol):
    """Decisions as they arrive, for requests that wait for one."""

    def expect(self, command_id: uuid.UUID) -> asyncio.Future[CommandOutcome]:
        """Registered before the command is published, so a fast decision is not missed."""
        ...

    def forget(self, command_id: uuid.UUID, future: asyncio.Future[CommandOutcome]) -> None: ...


class SentCommands(Protocol):
    """What the bus keeps of the commands it sends: pending marks and idempotency keys."""

    def mark_pending(self, pending: PendingCommand, command_id_text: str | None = None) -> None: ...

    def idempotency(self, scope: str) -> IdempotencyRecord | None: ...

    def remember_idempotency(self, scope: str, record: IdempotencyRecord) -> None: ...

    def forget_idempotency(self, scope: str) -> None: ...


class OutcomeStore(Protocol):
    """The outcomes followed so far, with the offsets of ``commands.outcomes`` they reach."""

    def save_outcomes(self, outcomes: list[RawOutcome], offsets: dict[tuple[str, int], int]) -> None: ...

    def next_offset(self, topic: str, partition: int) -> int | None: ...

    def outcome(self, command_id: uuid.UUID) -> CommandOutcome | None: ...
