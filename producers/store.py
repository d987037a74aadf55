"""The command API's own durable state, in a local RocksDB folder.

It holds what ``GET /commands/{id}`` and ``Idempotency-Key`` need across restarts:
the outcome of every command (read from the compacted ``commands.outcomes`` topic,
with the offsets reached), a pending mark for commands published but not yet
decided, and the idempotency keys seen with the fingerprint of their request.

Outcomes are written by the outcome follower's thread. Pending marks and idempotency
records are written behind the requests (``WriteBehind``): a crash may lose the last
few milliseconds of them. A lost pending mark makes ``GET /commands/{id}`` answer 404
until the outcome arrives; a lost idempotency record lets a retry publish the command
again under the same command id, which the worker decides only once.
"""

import asyncio
import json
import uuid
from collections import deque
from dataclasses import asdict
from pathlib import Path

from rocksdict import Cache, Options, Rdict, WriteBatch

from common.rocks import lookup_table
from producers.ports import IdempotencyRecord, PendingCommand
from producers.writebehind import Write, WriteBehind
from schemas.outcomes import CommandOutcome, RawOutcome

OUTCOME = b"outcome:"
PENDING = b"pending:"
BLOCK_CACHE_BYTES = 32 * 1024 * 1024
# Commands whose outcomes were saved lately: far more than are published between a pending mark and its write.
RECENT_OUTCOMES = 100_000


def _outcome_key(command_id: uuid.UUID) -> bytes:
    return OUTCOME + command_id.bytes


def _pending_key(command_id: uuid.UUID) -> bytes:
    return PENDING + command_id.bytes


def _idempotency_key(scope: str) -> bytes:
    return b"idempotency:" + scope.encode()


def _offset_key(topic: str, partition: int) -> bytes:
    return f"offset:{topic}:{partition}".encode()


class CommandStore:
    """The bus's ``SentCommands`` and the outcome follower's ``OutcomeStore``, in one RocksDB folder."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        options = Options(raw_mode=True)
        options.create_if_missing(True)
        options.set_block_based_table_factory(lookup_table(Cache(BLOCK_CACHE_BYTES)))
        self._db = Rdict(str(path), options=options)
        self._behind = WriteBehind(self._write)
        self._settled = RecentKeys(RECENT_OUTCOMES)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """From now on pending marks and idempotency records are written behind the requests."""
        self._behind.start(loop)

    @property
    def problem(self) -> str | None:
        return self._behind.problem

    def close(self) -> None:
        self._behind.stop()
        self._db.close()

    def _write(self, writes: list[Write]) -> None:
        batch = WriteBatch(raw_mode=True)
        for key, value in writes:
            if value is None:
                batch.delete(key)
            elif key not in self._settled:
                batch.put(key, value)  # a pending mark is left out once its outcome is known
        self._db.write(batch)

    def _read(self, key: bytes) -> bytes | None:
        on_its_way, value = self._behind.unwritten(key)
        return value if on_its_way else self._db.get(key)

    # Outcomes, written by the outcome follower in batches with the offsets they reach.

    def save_outcomes(self, outcomes: list[RawOutcome], offsets: dict[tuple[str, int], int]) -> None:
        batch = WriteBatch(raw_mode=True)
        for outcome in outcomes:
            batch.put(_outcome_key(outcome.command_id), outcome.raw)
            pending = _pending_key(outcome.command_id)
            batch.delete(pending)
            self._settled.add(pending)
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

    def mark_pending(self, pending: PendingCommand, command_id_text: str | None = None) -> None:
        """``command_id_text``: the id as text, when the caller has it already (it is needed once per command)."""
        value = (f'{{"command_id": "{command_id_text or pending.command_id}", "command_type": "{pending.command_type}", '
                 f'"aggregate_id": {json.dumps(pending.aggregate_id)}}}')
        self._behind.put(_pending_key(pending.command_id), value.encode())

    def pending(self, command_id: uuid.UUID) -> PendingCommand | None:
        raw = self._read(_pending_key(command_id))
        if raw is None:
            return None
        fields = json.loads(raw)
        return PendingCommand(**{**fields, "command_id": uuid.UUID(fields["command_id"])})

    # Idempotency keys.

    def idempotency(self, scope: str) -> IdempotencyRecord | None:
        raw = self._read(_idempotency_key(scope))
        if raw is None:
            return None
        fields = json.loads(raw)
        return IdempotencyRecord(**{**fields, "command_id": uuid.UUID(fields["command_id"])})

    def remember_idempotency(self, scope: str, record: IdempotencyRecord) -> None:
        self._behind.put(_idempotency_key(scope), json.dumps(asdict(record), default=str).encode())

    def forget_idempotency(self, scope: str) -> None:
        self._behind.put(_idempotency_key(scope), None)


class RecentKeys:
    """The last ``size`` keys added: added by the outcome follower's thread, looked up by the writer's.

    The writer used to ask RocksDB whether a pending mark's outcome was there, a lookup that misses almost always
    and, in a folder of gigabytes, took milliseconds with the interpreter lock held: the event loop stalled behind
    it. A mark outlives this window only if its outcome came more than ``size`` outcomes before the mark was
    written; it would then be left behind, unused (an outcome is read before a mark)."""

    def __init__(self, size: int) -> None:
        self._order: deque[bytes] = deque()
        self._keys: set[bytes] = set()
        self._size = size

    def add(self, key: bytes) -> None:
        if len(self._order) >= self._size:
            self._keys.discard(self._order.popleft())
        self._order.append(key)
        self._keys.add(key)

    def __contains__(self, key: bytes) -> bool:
        return key in self._keys
