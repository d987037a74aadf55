"""Deciding one command against one aggregate: pure, shared by every aggregate."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from domain.rejections import check_expected_version
from schemas.envelope import Envelope, Payload, event_id
from schemas.outcomes import CommandOutcome, OutcomeStatus, Rejection
from schemas.codec import decode, to_json_dict

S = TypeVar("S")

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
class AggregateEntry(Generic[S]):
    """What the decider's table holds per aggregate: the state and its recent outcomes."""

    state: S | None = None
    outcomes: tuple[CommandOutcome, ...] = ()

    def outcome_of(self, command_id: uuid.UUID) -> CommandOutcome | None:
        return next((outcome for outcome in self.outcomes if outcome.command_id == command_id), None)


@dataclass(frozen=True)
class Handled:
    entry: AggregateEntry[Any]
    events: list[Envelope[Payload]]
    outcome: CommandOutcome
    redelivered: bool = False


@dataclass
class EntryCodec(Generic[S]):
    spec: AggregateSpec[S]
    _adapter: TypeAdapter[Any] = field(init=False)

    def __post_init__(self) -> None:
        self._adapter = TypeAdapter(self.spec.state_type | None)

    def dump(self, entry: AggregateEntry[S]) -> dict[str, Any]:
        return {
            "state": self._adapter.dump_python(entry.state, mode="json"),
            "outcomes": [outcome.model_dump(mode="json") for outcome in entry.outcomes],
        }

    def load(self, raw: dict[str, Any] | None) -> AggregateEntry[S]:
        if raw is None:
            return AggregateEntry()
        return AggregateEntry(
            state=self._adapter.validate_python(raw["state"]),
            outcomes=tuple(CommandOutcome.model_validate(outcome) for outcome in raw["outcomes"]),
        )


def handle_command(
    spec: AggregateSpec[S], entry: AggregateEntry[S], command: Envelope[Payload], now: datetime
) -> Handled:
    previous = entry.outcome_of(command.id)
    if previous is not None:
        return Handled(entry, _events_of(spec, previous), previous, redelivered=True)
    version = _version(spec, entry.state)
    decision = check_expected_version(command.version, version) or spec.decide(entry.state, command.payload)
    if isinstance(decision, Rejection):
        outcome = _outcome(command, OutcomeStatus.REJECTED, now, version=version, code=decision.code, reason=decision.reason)
        return Handled(_remember(entry, entry.state, outcome), [], outcome)
    state = entry.state
    events: list[Envelope[Payload]] = []
    for payload in decision:
        state = spec.evolve(state, payload, command.aggregate_id)
        events.append(_event(command, payload, spec.version_of(state)))
    outcome = _outcome(
        command, OutcomeStatus.ACCEPTED, now, version=_version(spec, state),
        events=[to_json_dict(event) for event in events],
    )
    return Handled(_remember(entry, state, outcome), events, outcome)


def _version(spec: AggregateSpec[S], state: S | None) -> int:
    """0 for an aggregate that does not exist: also after a command it accepted without any event."""
    return spec.version_of(state) if state is not None else 0


def _event(command: Envelope[Payload], payload: Payload, version: int) -> Envelope[Payload]:
    return Envelope[type(payload)](  # type: ignore[misc]
        id=event_id(command.id, version), type=type(payload).__name__, aggregate_id=command.aggregate_id,
        version=version, occurred_at=command.occurred_at, command_id=command.id,
        correlation_id=command.correlation_id, actor=command.actor, payload=payload,
    )


def _outcome(command: Envelope[Payload], status: OutcomeStatus, now: datetime, **details: Any) -> CommandOutcome:
    return CommandOutcome(
        command_id=command.id, command_type=command.type, aggregate_id=command.aggregate_id,
        status=status, decided_at=now, **details,
    )


def _remember(entry: AggregateEntry[S], state: S | None, outcome: CommandOutcome) -> AggregateEntry[S]:
    return AggregateEntry(state=state, outcomes=(*entry.outcomes, outcome)[-REMEMBERED_OUTCOMES:])


def _events_of(spec: AggregateSpec[Any], outcome: CommandOutcome) -> list[Envelope[Payload]]:
    return [decode(json.dumps(raw).encode(), spec.event_types) for raw in outcome.events]
