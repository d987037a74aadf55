"""The command API's ports in memory (``producers.ports``): for tests of the bus and of the whole pipeline, and
the in-memory side of the command store's contract tests (``tests/contracts``)."""

import asyncio
import uuid
from collections.abc import Callable, Sequence

from producers.ports import IdempotencyRecord, PendingCommand, Record
from producers.waiting import OutcomeWaiters
from schemas.outcomes import CommandOutcome, RawOutcome


class MemoryPublisher:
    """``CommandPublisher``: every record is stored at once and handed to ``on_records`` (an in-memory log)."""

    def __init__(self, on_records: Callable[[Sequence[Record]], None] = lambda records: None) -> None:
        self.records: list[Record] = []
        self._on_records = on_records

    async def enqueue(self, records: Sequence[Record]) -> asyncio.Future[list[object | None]]:
        self.records.extend(records)
        self._on_records(records)
        stored: asyncio.Future[list[object | None]] = asyncio.get_running_loop().create_future()
        stored.set_result([None] * len(records))
        return stored


class MemoryCommandStore:
    """``SentCommands`` and ``OutcomeStore`` as dicts; outcomes are kept as published."""

    def __init__(self) -> None:
        self.outcomes: dict[uuid.UUID, bytes] = {}
        self.offsets: dict[tuple[str, int], int] = {}
        self.pending_marks: dict[uuid.UUID, PendingCommand] = {}
        self.keys: dict[str, IdempotencyRecord] = {}

    def save_outcomes(self, outcomes: list[RawOutcome], offsets: dict[tuple[str, int], int]) -> None:
        for outcome in outcomes:
            self.outcomes[outcome.command_id] = outcome.raw
            self.pending_marks.pop(outcome.command_id, None)
        self.offsets.update(offsets)

    def next_offset(self, topic: str, partition: int) -> int | None:
        return self.offsets.get((topic, partition))

    def outcome(self, command_id: uuid.UUID) -> CommandOutcome | None:
        raw = self.outcomes.get(command_id)
        return None if raw is None else CommandOutcome.model_validate_json(raw)

    def mark_pending(self, pending: PendingCommand, command_id_text: str | None = None) -> None:
        if pending.command_id not in self.outcomes:  # a command decided already is no longer pending
            self.pending_marks[pending.command_id] = pending

    def pending(self, command_id: uuid.UUID) -> PendingCommand | None:
        return self.pending_marks.get(command_id)

    def idempotency(self, scope: str) -> IdempotencyRecord | None:
        return self.keys.get(scope)

    def remember_idempotency(self, scope: str, record: IdempotencyRecord) -> None:
        self.keys[scope] = record

    def forget_idempotency(self, scope: str) -> None:
        self.keys.pop(scope, None)


class MemoryOutcomes(OutcomeWaiters):
    """``OutcomeFeed``: outcomes handed to ``decided`` are saved in the store and wake the requests waiting for
    them, as the outcome follower does with what it reads from ``commands.outcomes``."""

    def decided(self, outcomes: list[RawOutcome], offsets: dict[tuple[str, int], int] | None = None) -> None:
        self._store.save_outcomes(outcomes, offsets or {})
        self.wake(outcomes)
