"""Deciding one command against one aggregate: pure, shared by every aggregate."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from pydantic_core import from_json, to_json

from domain.rejections import check_expected_version
from schemas.codec import UndecodableRecord, decode, decode_keyed, encode
from schemas.envelope import Envelope, Payload, envelope_type, event_id
from schemas.outcomes import CommandOutcome, OutcomeStatus, Rejection
from streams.stored import CACHED_VALUES, StoredValues

S = TypeVar("S")

log = logging.getLogger(__name__)

# How many recent outcomes an aggregate remembers to answer a redelivered command id again.
REMEMBERED_OUTCOMES = 100


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

    @property
    def table_name(self) -> str:
        return f"{self.name}-aggregates"


@dataclass(frozen=True)
class RememberedOutcome:
    """An outcome as it was published: the command id to find it by and its JSON, kept as it is until asked for."""

    command_id: str
    json: bytes

    @classmethod
    def of(cls, outcome: CommandOutcome) -> "RememberedOutcome":
        return cls(str(outcome.command_id), outcome.__pydantic_serializer__.to_json(outcome))

    def outcome(self) -> CommandOutcome:
        return CommandOutcome.model_validate_json(self.json)


@dataclass(frozen=True)
class AggregateEntry(Generic[S]):
    """What the decider's table holds per aggregate: the state and its recent outcomes."""

    state: S | None = None
    outcomes: tuple[RememberedOutcome, ...] = ()

    def outcome_of(self, command_id: uuid.UUID) -> RememberedOutcome | None:
        wanted = str(command_id)
        return next((outcome for outcome in self.outcomes if outcome.command_id == wanted), None)


@dataclass(frozen=True)
class Handled:
    entry: AggregateEntry[Any]
    events: list[Envelope[Payload]]
    outcome: CommandOutcome
    redelivered: bool = False
    # The records to publish: ``events`` encoded, in order, and the outcome's JSON.
    event_values: tuple[bytes, ...] = ()
    outcome_value: bytes = b""


@dataclass
class EntryCodec(Generic[S]):
    """The table value: ``{"state": …, "outcomes": […]}`` as JSON bytes. Remembered outcomes are copied in as the
    JSON they were published with, so storing an entry never serialises its outcomes again."""

    spec: AggregateSpec[S]
    _adapter: TypeAdapter[Any] = field(init=False)

    def __post_init__(self) -> None:
        self._adapter = TypeAdapter(self.spec.state_type | None)

    def dump(self, entry: AggregateEntry[S]) -> bytes:
        outcomes = b",".join(outcome.json for outcome in entry.outcomes)
        return b'{"state":%b,"outcomes":[%b]}' % (self._adapter.dump_json(entry.state), outcomes)

    def load(self, stored: bytes | None) -> AggregateEntry[S]:
        if stored is None:
            return AggregateEntry()
        raw = from_json(stored)
        return AggregateEntry(
            state=self._adapter.validate_python(raw["state"]),
            outcomes=tuple(RememberedOutcome(outcome["command_id"], to_json(outcome)) for outcome in raw["outcomes"]),
        )


@dataclass(frozen=True)
class DecidedRecord:
    """What the decider agent writes for one command record: the events, the outcome and the entry to store, or,
    when the record cannot be decided, only a dead letter with the reason."""

    aggregate_id: str = ""
    command_id: str = ""
    event_values: tuple[bytes, ...] = ()
    outcome_value: bytes | None = None
    stored: bytes | None = None
    dead_letter_reason: str | None = None


class Decider(Generic[S]):
    """The decider agent's work on one command without the I/O: the stored entry in; the handled command and the
    entry to store (``None``: unchanged) out."""

    def __init__(self, spec: AggregateSpec[S], cached_entries: int = CACHED_VALUES) -> None:
        self.spec = spec
        codec = EntryCodec(spec)
        self._entries = StoredValues(codec.load, codec.dump, cached_entries)

    def decide(self, command: Envelope[Payload], stored: bytes | None, now: datetime) -> tuple[Handled, bytes | None]:
        entry = self._entries.load(command.aggregate_id, stored) or AggregateEntry()
        handled = handle_command(self.spec, entry, command, now)
        if handled.redelivered:
            return handled, None
        return handled, self._entries.dump(command.aggregate_id, handled.entry)

    def decide_record(self, key: bytes | None, value: bytes | None, stored_entry: Callable[[str], bytes | None],
                      now: datetime) -> DecidedRecord:
        """A failing rule dead-letters its command rather than stopping the partition behind it."""
        try:
            command = decode_keyed(key, value, self.spec.command_types)
        except UndecodableRecord as error:
            return DecidedRecord(dead_letter_reason=str(error))
        try:
            handled, stored = self.decide(command, stored_entry(command.aggregate_id), now)
        except Exception as error:  # noqa: BLE001 - any bug in a rule, whatever it raises
            log.exception("deciding command %s failed", command.id)
            return DecidedRecord(dead_letter_reason=f"deciding {command.type} failed: {type(error).__name__}: {error}")
        return DecidedRecord(command.aggregate_id, str(command.id), handled.event_values, handled.outcome_value, stored)


def handle_command(
    spec: AggregateSpec[S], entry: AggregateEntry[S], command: Envelope[Payload], now: datetime
) -> Handled:
    previous = entry.outcome_of(command.id)
    if previous is not None:
        return _redelivered(spec, entry, previous)
    version = _version(spec, entry.state)
    decision = check_expected_version(command.version, version) or spec.decide(entry.state, command.payload)
    if isinstance(decision, Rejection):
        outcome = _outcome(command, OutcomeStatus.REJECTED, now, version=version, code=decision.code, reason=decision.reason)
        return _handled(entry, entry.state, [], (), outcome)
    state = entry.state
    events: list[Envelope[Payload]] = []
    for payload in decision:
        state = spec.evolve(state, payload, command.aggregate_id)
        events.append(_event(command, payload, spec.version_of(state)))
    values = tuple(encode(event) for event in events)
    outcome = _outcome(
        command, OutcomeStatus.ACCEPTED, now, version=_version(spec, state),
        events=[from_json(value) for value in values],
    )
    return _handled(entry, state, events, values, outcome)


def _version(spec: AggregateSpec[S], state: S | None) -> int:
    """0 for an aggregate that does not exist: also after a command it accepted without any event."""
    return spec.version_of(state) if state is not None else 0


def _handled(entry: AggregateEntry[S], state: S | None, events: list[Envelope[Payload]], values: tuple[bytes, ...],
             outcome: CommandOutcome) -> Handled:
    remembered = RememberedOutcome.of(outcome)
    entry = AggregateEntry(state=state, outcomes=(*entry.outcomes, remembered)[-REMEMBERED_OUTCOMES:])
    return Handled(entry, events, outcome, event_values=values, outcome_value=remembered.json)


def _redelivered(spec: AggregateSpec[Any], entry: AggregateEntry[Any], previous: RememberedOutcome) -> Handled:
    outcome = previous.outcome()
    events = [decode(to_json(raw), spec.event_types) for raw in outcome.events]
    return Handled(entry, events, outcome, redelivered=True,
                   event_values=tuple(encode(event) for event in events), outcome_value=previous.json)


def _event(command: Envelope[Payload], payload: Payload, version: int) -> Envelope[Payload]:
    return envelope_type(type(payload))(
        id=event_id(command.id, version), type=type(payload).__name__, aggregate_id=command.aggregate_id,
        version=version, occurred_at=command.occurred_at, command_id=command.id,
        correlation_id=command.correlation_id, actor=command.actor, payload=payload,
    )


def _outcome(command: Envelope[Payload], status: OutcomeStatus, now: datetime, **details: Any) -> CommandOutcome:
    return CommandOutcome(
        command_id=command.id, command_type=command.type, aggregate_id=command.aggregate_id,
        status=status, decided_at=now, **details,
    )
