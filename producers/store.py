"""The command API's own durable state, in a local RocksDB folder.

It holds what ``GET /commands/{id}`` and ``Idempotency-Key`` need across restarts:
the outcome of every command (read from the compacted ``commands.outcomes`` topic,
with the offsets reached), a pending mark for commands published but not yet
decided, and the idempotency keys seen with the fingerprint of their request.
"""

import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from rocksdict import Options, Rdict, WriteBatch

from schemas.outcomes import CommandOutcome


@dataclass(frozen=True)
class PendingCommand:
    command_id: uuid.UUID
    command_type: str
    aggregate_id: str


@dataclass(frozen=True)
class IdempotencyRecord:
    fingerprint: str
    command_id: uuid.UUID
    aggregate_id: str
    published: bool = False


def _outcome_key(command_id: uuid.UUID) -> bytes:
    return b"outcome:" + command_id.bytes


def _pending_key(command_id: uuid.UUID) -> bytes:
    return b"pending:" + command_id.bytes


def _idempotency_key(scope: str) -> bytes:
    return b"idempotency:" + scope.encode()


def _offset_key(topic: str, partition: int) -> bytes:
    return f"offset:{topic}:{partition}".encode()


class CommandStore:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        options = Options(raw_mode=True)
        options.create_if_missing(True)
        self._db = Rdict(str(path), options=options)

    def close(self) -> None:
        self._db.close()

    # Outcomes, written by the outcome follower in batches with the offsets they reach.

    def save_outcomes(self, outcomes: list[CommandOutcome], offsets: dict[tuple[str, int], int]) -> None:
        batch = WriteBatch(raw_mode=True)
        for outcome in outcomes:
            batch.put(_outcome_key(outcome.command_id), outcome.model_dump_json().encode())
            batch.delete(_pending_key(outcome.command_id))
        for (topic, partition), offset in offsets.items():
            batch.put(_offset_key(topic, partition), str(offset).encode())
        self._db.write(batch)

    def outcome(self, command_id: uuid.UUID) -> CommandOutcome | None:
        raw = self._db.get(_outcome_key(command_id))
        return None if raw is None else CommandOutcome.model_validate_json(raw)

    def next_offset(self, topic: str, partition: int) -> int | None:
        raw = self._db.get(_offset_key(topic, partition))
        return None if raw is None else int(raw)

    # Commands published and not decided yet.

    def mark_pending(self, pending: PendingCommand) -> None:
        if self._db.get(_outcome_key(pending.command_id)) is None:
            self._db.put(_pending_key(pending.command_id), json.dumps(asdict(pending), default=str).encode())

    def pending(self, command_id: uuid.UUID) -> PendingCommand | None:
        raw = self._db.get(_pending_key(command_id))
        if raw is None:
            return None
        fields = json.loads(raw)
        return PendingCommand(**{**fields, "command_id": uuid.UUID(fields["command_id"])})

    # Idempotency keys.

    def idempotency(self, scope: str) -> IdempotencyRecord | None:
        raw = self._db.get(_idempotency_key(scope))
        if raw is None:
            return None
        fields = json.loads(raw)
        return IdempotencyRecord(**{**fields, "command_id": uuid.UUID(fields["command_id"])})

    def remember_idempotency(self, scope: str, record: IdempotencyRecord) -> None:
        self._db.put(_idempotency_key(scope), json.dumps(asdict(record), default=str).encode())

    def forget_idempotency(self, scope: str) -> None:
        self._db.delete(_idempotency_key(scope))
