"""Deciding commands against aggregates: pure, shared by every aggregate.

``Deciders`` is the decider loop's work on a batch of command records without I/O: stored state comes in through
a ``Read`` port, and out come the records to produce (events, commands derived from them, dead letters) and the
store writes (each aggregate's state once per batch, and each command's outcome, whose store's changelog is
``commands.outcomes``). A command id already decided is a repeat: it changes nothing and emits nothing, its
aggregate's state is written again (so a changelog that missed it gets it).
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic_core import from_json, to_json

from domain.rejections import Evolved, check_expected_version
from schemas.codec import UndecodableRecord, decode_keyed, encode
from schemas.envelope import Envelope, Payload, envelope_of, event_id
from schemas.outcomes import OutcomeStatus, Rejection
from streams.ports import Read
from streams.records import Consumed, Record, dead_letter_record
from streams.tables import CACHED_VALUES, Codec, LegacyEntryCodec, ParsedTable

S = TypeVar("S")

log = logging.getLogger(__name__)

OUTCOMES_STORE = "command-outcomes"
UNDECIDABLE = "undecidable"


def no_derived(state: Any, event: Envelope[Payload]) -> list[Record]:
    return []


@dataclass(frozen=True)
class AggregateSpec(Generic[S]):
    name: str
    commands_topic: str
    events_topic: str
    command_types: tuple[type[Payload], ...]
    event_types: tuple[type[Payload], ...]
    decide: Callable[[S | None, Payload], list[Payload] | Rejection]
    evolve: Callable[[S | None, Payload, str], S]
    state_type: type[S]
    version_of: Callable[[S], int]
    # Commands for other aggregates an accepted event calls for, given the state after it.
    derive: Callable[[S, Envelope[Payload]], list[Record]] = no_derived
    # How the state is stored (default: one key, its JSON).
    codec: Codec[S] | None = None

    @property
    def table_name(self) -> str:
        return f"{self.name}-aggregates"

    def state_codec(self) -> Codec[S]:
        return self.codec if self.codec is not None else LegacyEntryCodec(self.state_type)


@dataclass(frozen=True)
class Decided:
    """One command decided: the state after it, its events (encoded), its outcome (JSON) and derived commands."""

    state: Any
    event_values: tuple[bytes, ...]
    outcome: bytes
    derived: tuple[Record, ...] = ()
    accepted: bool = False


def decide_command(spec: AggregateSpec[S], state: S | None, command: Envelope[Payload], now: datetime) -> Decided:
    return _decide_command(spec, state, command, now, accepted_tail(now))


def _decide_command(spec: AggregateSpec[S], state: S | None, command: Envelope[Payload], now: datetime,
                    tail: bytes) -> Decided:
    """``tail``: the end of an accepted outcome, ``accepted_tail(now)``, the same for every command of a batch."""
    version = _version(spec, state)
    decision = check_expected_version(command.version, version) or spec.decide(state, command.payload)
    if isinstance(decision, Rejection):
        outcome = outcome_json(command.id, command.type, command.aggregate_id, OutcomeStatus.REJECTED, now,
                               version=version, code=decision.code, reason=decision.reason)
        return Decided(state, (), outcome)
    values: list[bytes] = []
    derived: list[Record] = []
    evolved = decision.states if isinstance(decision, Evolved) and decision.start is state else None
    for index, payload in enumerate(decision):
        state = evolved[index] if evolved is not None else spec.evolve(state, payload, command.aggregate_id)
        event = _event(command, payload, spec.version_of(state))
        values.append(encode(event))
        derived.extend(spec.derive(state, event))
    head = _outcome_head(command.id, command.type, command.aggregate_id, OutcomeStatus.ACCEPTED, _version(spec, state))
    return Decided(state, tuple(values), b'%b,"events":[%b],%b' % (head, b",".join(values), tail), tuple(derived),
                   accepted=True)


def accepted_tail(now: datetime) -> bytes:
    """What follows the events in an accepted outcome decided at ``now``."""
    return to_json({"code": None, "reason": None, "decided_at": now})[1:]


def _outcome_head(command_id: uuid.UUID | str, command_type: str, aggregate_id: str, status: OutcomeStatus,
                  version: int | None) -> bytes:
    """The fields before the events, without the closing brace."""
    return to_json({"command_id": str(command_id), "command_type": command_type, "aggregate_id": aggregate_id,
                    "status": status.value, "version": version})[:-1]


def outcome_json(command_id: uuid.UUID | str, command_type: str, aggregate_id: str, status: OutcomeStatus,
                 now: datetime, version: int | None = None, events: Iterable[bytes] = (), code: str | None = None,
                 reason: str | None = None) -> bytes:
    """A ``CommandOutcome`` as JSON, with the events spliced in as the bytes they were published as."""
    head = _outcome_head(command_id, command_type, aggregate_id, status, version)
    tail = to_json({"code": code, "reason": reason, "decided_at": now})
    return b'%b,"events":[%b],%b' % (head, b",".join(events), tail[1:])


def _version(spec: AggregateSpec[S], state: S | None) -> int:
    """0 for an aggregate that does not exist: also after a command it accepted without any event."""
    return spec.version_of(state) if state is not None else 0


def _event(command: Envelope[Payload], payload: Payload, version: int) -> Envelope[Payload]:
    """Built from what is validated already (the command's envelope and a payload model), so not validated again."""
    return envelope_of(
        payload, id=event_id(command.id, version), aggregate_id=command.aggregate_id, version=version,
        occurred_at=command.occurred_at, command_id=command.id, correlation_id=command.correlation_id,
        actor=command.actor,
    )


@dataclass
class Decisions:
    """A batch decided: records to produce and store writes (store, partition, key, bytes)."""

    records: list[Record] = field(default_factory=list)
    writes: list[tuple[str, int, str, bytes | None]] = field(default_factory=list)
    decided: int = 0
    repeats: int = 0
    dead_letters: int = 0


DECIDED_MARK, UNDECIDABLE_MARK = b"d", b"u"
_UNDECIDABLE_CODE = b'"code":"%b"' % UNDECIDABLE.encode()


def outcome_mark(outcome: bytes) -> bytes:
    """What the deciders keep of an outcome to recognise its command again: whether it was undecidable. An outcome
    is kept whole on ``commands.outcomes``; the worker's own folder needs one byte of it."""
    if outcome in (DECIDED_MARK, UNDECIDABLE_MARK):
        return outcome
    return UNDECIDABLE_MARK if _UNDECIDABLE_CODE in outcome else DECIDED_MARK


def decider_stores(specs: Iterable[AggregateSpec[Any]]) -> tuple[str, ...]:
    """The stores the deciders of ``specs`` keep: each aggregate's states, and the outcomes."""
    return (*(spec.table_name for spec in specs), OUTCOMES_STORE)


class Deciders:
    """Every aggregate's decider over one batch of command records."""

    def __init__(self, specs: Iterable[AggregateSpec[Any]], read: Read, cache_size: int = CACHED_VALUES) -> None:
        self.specs = tuple(specs)
        self._by_topic = {spec.commands_topic: spec for spec in self.specs}
        self._states = {spec.name: ParsedTable(spec.table_name, read, spec.state_codec(), cache_size)
                        for spec in self.specs}
        self._read = read

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(self._by_topic)

    def decide(self, records: Iterable[Consumed], now: datetime) -> Decisions:
        out = Decisions()
        decided_now: set[str] = set()
        tail = accepted_tail(now)
        for record in records:
            self._decide_one(record, now, tail, out, decided_now)
        for table in self._states.values():
            out.writes.extend((table.store, partition, key, value) for partition, key, value in table.changes())
        return out

    def _decide_one(self, record: Consumed, now: datetime, tail: bytes, out: Decisions, decided_now: set[str]) -> None:
        spec = self._by_topic[record.topic]
        try:
            command = decode_keyed(record.key, record.value, spec.command_types)
        except UndecodableRecord as error:
            self._undecidable(record, str(error), now, out)
            return
        states = self._states[spec.name]
        state = states.get(record.partition, command.aggregate_id)
        command_id = str(command.id)
        if command_id in decided_now or self._decided_before(record.partition, command_id):
            out.repeats += 1
            if state is not None:
                states.put(record.partition, command.aggregate_id, state)
            return
        try:
            decided = _decide_command(spec, state, command, now, tail)
        except Exception as error:  # noqa: BLE001 - any bug in a rule, whatever it raises
            log.exception("deciding command %s failed", command.id)
            self._undecidable(record, f"deciding {command.type} failed: {type(error).__name__}: {error}", now, out)
            return
        decided_now.add(command_id)
        out.decided += 1
        if decided.accepted:
            if decided.state is not None:
                states.put(record.partition, command.aggregate_id, decided.state)
            key = command.aggregate_id.encode()
            out.records.extend(Record(spec.events_topic, key, value) for value in decided.event_values)
            out.records.extend(decided.derived)
        out.writes.append((OUTCOMES_STORE, record.partition, command_id, decided.outcome))

    def _decided_before(self, partition: int, command_id: str) -> bool:
        stored = self._read(OUTCOMES_STORE, partition, command_id)
        # A command dead-lettered before may come back corrected (``orderflow deadletter resend``): decide it then.
        return stored is not None and outcome_mark(stored) != UNDECIDABLE_MARK

    def _undecidable(self, record: Consumed, reason: str, now: datetime, out: Decisions) -> None:
        """A dead letter, and a rejected outcome when the record names its command, so nobody waits for it."""
        out.dead_letters += 1
        out.records.append(dead_letter_record(record, reason))
        named = _command_named_in(record)
        if named is not None:
            command_id, command_type, aggregate_id = named
            outcome = outcome_json(command_id, command_type, aggregate_id, OutcomeStatus.REJECTED, now,
                                   code=UNDECIDABLE, reason=reason)
            out.writes.append((OUTCOMES_STORE, record.partition, str(command_id), outcome))

    def committed(self) -> None:
        for table in self._states.values():
            table.commit()

    def discarded(self) -> None:
        for table in self._states.values():
            table.discard()

    def forget(self, partitions: set[int]) -> None:
        for table in self._states.values():
            table.forget(partitions)


def _command_named_in(record: Consumed) -> tuple[uuid.UUID, str, str] | None:
    """The command id, type and aggregate id of a record that is not a valid command, as far as it says them."""
    try:
        raw = from_json(record.value or b"")
        command_id = uuid.UUID(str(raw["id"]))
    except (ValueError, KeyError, TypeError):
        return None
    key = record.key.decode("utf-8", "replace") if record.key else ""
    aggregate_id = raw.get("aggregate_id") if isinstance(raw.get("aggregate_id"), str) else key
    command_type = raw.get("type") if isinstance(raw.get("type"), str) else "unknown"
    return command_id, command_type[:100], (aggregate_id or key or "unknown")[:64]

