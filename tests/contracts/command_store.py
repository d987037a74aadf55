"""The command store contract (``producers.ports``: ``SentCommands`` and ``OutcomeStore``, and the pending marks
``GET /commands/{id}`` reads). A test module runs these by importing them beside a ``command_store`` fixture for
its adapter (``tests/unit/test_adapter_contracts.py``: the dicts and the RocksDB folder)."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from producers.ports import IdempotencyRecord, OutcomeStore, PendingCommand, SentCommands
from schemas.outcomes import CommandOutcome, OutcomeStatus, RawOutcome
from schemas.topics import COMMAND_OUTCOMES


class CommandStoreUnderTest(SentCommands, OutcomeStore, Protocol):
    def pending(self, command_id: uuid.UUID) -> PendingCommand | None: ...


def decided(command_id: uuid.UUID) -> RawOutcome:
    outcome = CommandOutcome(command_id=command_id, command_type="SubmitOrder", aggregate_id="ORD-1",
                             status=OutcomeStatus.ACCEPTED, version=4, decided_at=datetime(2026, 3, 1, tzinfo=UTC))
    return RawOutcome.of_json(outcome.model_dump_json().encode())


def test_an_idempotency_key_is_remembered_until_forgotten(command_store: CommandStoreUnderTest) -> None:
    record = IdempotencyRecord("f1ngerprint", uuid.uuid4(), "ORD-1")
    assert command_store.idempotency("key-1") is None
    command_store.remember_idempotency("key-1", record)
    command_store.remember_idempotency("key-1", replace(record, published=True))
    assert command_store.idempotency("key-1") == IdempotencyRecord("f1ngerprint", record.command_id, "ORD-1", True)
    command_store.forget_idempotency("key-1")
    assert command_store.idempotency("key-1") is None


def test_a_pending_command_is_pending_until_its_outcome_is_saved(command_store: CommandStoreUnderTest) -> None:
    command_id = uuid.uuid4()
    command_store.mark_pending(PendingCommand(command_id, "SubmitOrder", "ORD-1"), str(command_id))
    assert command_store.pending(command_id) == PendingCommand(command_id, "SubmitOrder", "ORD-1")
    assert command_store.outcome(command_id) is None
    outcome = decided(command_id)
    command_store.save_outcomes([outcome], {(COMMAND_OUTCOMES, 2): 41})
    assert command_store.pending(command_id) is None and command_store.outcome(command_id) == outcome.parsed()
    assert (command_store.next_offset(COMMAND_OUTCOMES, 2), command_store.next_offset(COMMAND_OUTCOMES, 0)) == (41, None)


def test_a_command_decided_already_is_not_marked_pending(command_store: CommandStoreUnderTest) -> None:
    command_id = uuid.uuid4()
    command_store.save_outcomes([decided(command_id)], {(COMMAND_OUTCOMES, 0): 1})
    command_store.mark_pending(PendingCommand(command_id, "SubmitOrder", "ORD-1"))
    assert command_store.pending(command_id) is None
