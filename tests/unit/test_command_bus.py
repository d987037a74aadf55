"""CommandBus: every command published once, idempotency keys honoured across requests and within a batch."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from producers.commands import (
    Command,
    CommandBus,
    CommandContext,
    IdempotencyMismatch,
    Outgoing,
    PublishFailed,
    Sent,
    command_envelope,
    fingerprint,
)
from producers.ports import PendingCommand, Record
from producers.store import CommandStore
from schemas.codec import decode, encode
from schemas.envelope import Payload, envelope_type
from schemas.orders import AddItem, CancelOrder, SubmitOrder
from schemas.outcomes import CommandOutcome, OutcomeStatus, RawOutcome
from schemas.topics import COMMAND_OUTCOMES, ORDERS_COMMANDS
from tests.unit.builders import ORDER_ID, build

ACTOR = "shop"
DECIDED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakePublisher:
    """Records every record it is given; records keyed by a failing aggregate id are refused."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.records: list[Record] = []
        self.failing: set[str] = set()
        self.entered = asyncio.Event()
        self._gate = gate

    async def enqueue(self, records: Sequence[Record]) -> Awaitable[list[str | None]]:
        self.entered.set()
        self.records.extend(records)
        return self._delivered(records)

    async def _delivered(self, records: Sequence[Record]) -> list[str | None]:
        if self._gate is not None:
            await self._gate.wait()
        return ["broker down" if record.key.decode() in self.failing else None for record in records]

    @property
    def command_ids(self) -> list[uuid.UUID]:
        return [decode(record.value).id for record in self.records]


@dataclass
class FakeOutcomes:
    """Decisions known in advance are handed out at once; others never come."""

    decided: dict[uuid.UUID, CommandOutcome] = field(default_factory=dict)
    forgotten: list[uuid.UUID] = field(default_factory=list)

    def expect(self, command_id: uuid.UUID) -> asyncio.Future[CommandOutcome]:
        future: asyncio.Future[CommandOutcome] = asyncio.get_running_loop().create_future()
        if command_id in self.decided:
            future.set_result(self.decided[command_id])
        return future

    def forget(self, command_id: uuid.UUID, future: asyncio.Future[CommandOutcome]) -> None:
        self.forgotten.append(command_id)


@dataclass
class Harness:
    bus: CommandBus
    publisher: FakePublisher
    outcomes: FakeOutcomes
    store: CommandStore
    published: list[Command]


def _harness(store: CommandStore, gate: asyncio.Event | None = None) -> Harness:
    publisher, outcomes, published = FakePublisher(gate), FakeOutcomes(), []
    bus = CommandBus(publisher, outcomes, store, on_published=published.extend)
    return Harness(bus, publisher, outcomes, store, published)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CommandStore]:
    opened = CommandStore(tmp_path / "store")
    yield opened
    opened.close()


@pytest.fixture
def harness(store: CommandStore) -> Harness:
    return _harness(store)


def _context(key: str | None = None, actor: str = ACTOR, expected_version: int | None = None) -> CommandContext:
    return CommandContext(actor=actor, correlation_id=uuid.uuid4(), expected_version=expected_version,
                          idempotency_key=key)


def _outgoing(payload: Payload | None = None, key: str | None = None, expected_version: int | None = None) -> Outgoing:
    context = _context(key, expected_version=expected_version)
    return Outgoing(command_envelope(payload or build(SubmitOrder), context), context.idempotency_scope)


def _outcome(command: Command) -> CommandOutcome:
    return CommandOutcome(command_id=command.id, command_type=command.type, aggregate_id=command.aggregate_id,
                          status=OutcomeStatus.ACCEPTED, version=3, decided_at=DECIDED_AT)


async def test_commands_without_a_key_are_each_published_once(harness: Harness) -> None:
    batch = [_outgoing(), _outgoing(build(CancelOrder, order_id="ORD-2"))]
    assert await harness.bus.dispatch(batch) == [None, None]
    assert harness.publisher.command_ids == [item.command.id for item in batch]
    assert [(record.topic, record.key) for record in harness.publisher.records] == [
        (ORDERS_COMMANDS, ORDER_ID.encode()), (ORDERS_COMMANDS, b"ORD-2")]
    assert harness.published == [item.command for item in batch]


async def test_the_same_body_without_a_key_is_published_again(harness: Harness) -> None:
    await harness.bus.send(build(SubmitOrder), _context())
    await harness.bus.send(build(SubmitOrder), _context())
    assert len(set(harness.publisher.command_ids)) == 2


async def test_a_repeated_key_is_published_once_and_answered_again(harness: Harness) -> None:
    first = await harness.bus.send(build(SubmitOrder), _context("k-1"))
    again = await harness.bus.send(build(SubmitOrder), _context("k-1"))
    assert again.command.id == first.command.id
    assert harness.publisher.command_ids == [first.command.id]


async def test_a_key_reused_with_another_body_is_refused(harness: Harness) -> None:
    await harness.bus.send(build(SubmitOrder), _context("k-1"))
    with pytest.raises(IdempotencyMismatch):
        await harness.bus.send(build(CancelOrder), _context("k-1"))
    errors = await harness.bus.dispatch([_outgoing(key="k-1", expected_version=2)])
    assert [type(error) for error in errors] == [IdempotencyMismatch]
    assert len(harness.publisher.records) == 1


async def test_the_same_key_twice_in_one_batch_is_published_once(harness: Harness) -> None:
    batch = [_outgoing(key="k-1"), _outgoing(), _outgoing(key="k-1")]
    assert await harness.bus.dispatch(batch) == [None, None, None]
    assert harness.publisher.command_ids == [batch[0].command.id, batch[1].command.id]
    assert harness.store.idempotency(str(batch[0].command.id)).published  # type: ignore[union-attr]  # the batch recorded it


async def test_a_key_reused_with_another_body_in_one_batch_refuses_only_the_second(harness: Harness) -> None:
    errors = await harness.bus.dispatch([_outgoing(key="k-1"), _outgoing(build(CancelOrder), key="k-1")])
    assert errors[0] is None and isinstance(errors[1], IdempotencyMismatch)
    assert len(harness.publisher.records) == 1


async def test_a_failed_publish_is_reported_and_leaves_the_key_retryable(harness: Harness) -> None:
    harness.publisher.failing.add(ORDER_ID)
    failed = await harness.bus.dispatch([_outgoing(key="k-1"), _outgoing(key="k-1")])
    assert [type(error) for error in failed] == [PublishFailed, PublishFailed]
    with pytest.raises(PublishFailed):
        await harness.bus.send(build(SubmitOrder), _context("k-1"))
    command_id = CommandContext(ACTOR, uuid.uuid4(), idempotency_key="k-1").command_id
    assert harness.store.pending(command_id) is None and harness.published == []

    harness.publisher.failing.clear()
    assert await harness.bus.dispatch([_outgoing(key="k-1")]) == [None]
    assert harness.publisher.command_ids == [command_id] * 3
    assert harness.store.pending(command_id) is not None


async def test_one_failed_record_does_not_fail_the_others(harness: Harness) -> None:
    harness.publisher.failing.add("ORD-2")
    errors = await harness.bus.dispatch([_outgoing(), _outgoing(build(CancelOrder, order_id="ORD-2"))])
    assert errors[0] is None and isinstance(errors[1], PublishFailed)


@pytest.mark.parametrize("fails", [False, True], ids=["confirmed", "refused"])
async def test_concurrent_requests_with_one_key_publish_once_and_share_the_result(
        store: CommandStore, fails: bool) -> None:
    gate = asyncio.Event()
    harness = _harness(store, gate)
    if fails:
        harness.publisher.failing.add(ORDER_ID)
    requests = [asyncio.create_task(harness.bus.send(build(SubmitOrder), _context("k-1"))) for _ in range(5)]
    await harness.publisher.entered.wait()
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*requests, return_exceptions=True)
    assert len(harness.publisher.records) == 1
    if fails:
        assert all(isinstance(result, PublishFailed) for result in results), results
    else:
        published = harness.publisher.command_ids[0]
        assert all(isinstance(result, Sent) and result.command.id == published for result in results), results


async def test_a_published_command_is_pending_until_its_outcome_is_saved(harness: Harness) -> None:
    sent = await harness.bus.send(build(AddItem), _context())
    command = sent.command
    assert harness.store.pending(command.id) == PendingCommand(command.id, "AddItem", ORDER_ID)
    assert harness.published == [command]

    outcome = _outcome(command)
    harness.store.save_outcomes([RawOutcome.of(outcome)], {(COMMAND_OUTCOMES, 0): 8})
    assert harness.store.pending(command.id) is None
    assert harness.store.outcome(command.id) == outcome
    assert harness.store.next_offset(COMMAND_OUTCOMES, 0) == 8
    harness.store.mark_pending(PendingCommand(command.id, "AddItem", ORDER_ID))
    assert harness.store.pending(command.id) is None


async def test_waiting_returns_the_decision_and_stops_watching(harness: Harness) -> None:
    context = _context("k-1")
    expected = _outcome(command_envelope(build(SubmitOrder), context))
    harness.outcomes.decided[context.command_id] = expected
    sent = await harness.bus.send(build(SubmitOrder), context, wait_s=1.0)
    assert sent.outcome == expected
    assert harness.outcomes.forgotten == [context.command_id]


async def test_a_wait_that_runs_out_returns_no_decision(harness: Harness) -> None:
    sent = await harness.bus.send(build(SubmitOrder), _context(), wait_s=0.01)
    assert sent.outcome is None and harness.outcomes.forgotten == [sent.command.id]


async def test_a_failed_publish_while_waiting_still_stops_watching(harness: Harness) -> None:
    harness.publisher.failing.add(ORDER_ID)
    context = _context()
    with pytest.raises(PublishFailed):
        await harness.bus.send(build(SubmitOrder), context, wait_s=1.0)
    assert harness.outcomes.forgotten == [context.command_id]


@pytest.mark.parametrize("actor", ["shop", 'a "quoted" café\\name'])
def test_the_written_record_is_what_encoding_the_envelope_model_gives(actor: str) -> None:
    context = CommandContext(actor, uuid.uuid4(), expected_version=3)
    payload = build(AddItem)
    command = command_envelope(payload, context, occurred_at="2026-03-01T12:00:00.123456Z")
    model = envelope_type(AddItem)(
        id=context.command_id, type="AddItem", aggregate_id=ORDER_ID, version=3,
        occurred_at=datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC), command_id=context.command_id,
        correlation_id=context.correlation_id, actor=actor, payload=payload)
    assert json.loads(command.record.value) == json.loads(encode(model))
    assert decode(command.record.value) == model
    assert (command.record.topic, command.record.key) == (ORDERS_COMMANDS, ORDER_ID.encode())


def test_fingerprint_ignores_ids_and_times() -> None:
    first = _outgoing().command
    later = command_envelope(build(SubmitOrder), _context(), occurred_at="2030-01-01T00:00:00Z")
    assert first.id != later.id and first.record.value != later.record.value
    assert fingerprint(first) == fingerprint(later)


@pytest.mark.parametrize("other", [
    pytest.param(lambda: _outgoing(build(SubmitOrder, order_id="ORD-2")), id="other-payload"),
    pytest.param(lambda: _outgoing(build(CancelOrder)), id="other-type"),
    pytest.param(lambda: _outgoing(expected_version=1), id="other-expected-version"),
])
def test_fingerprint_differs_for_another_command(other: Callable[[], Outgoing]) -> None:
    assert fingerprint(other().command) != fingerprint(_outgoing().command)
