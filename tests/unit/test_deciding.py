"""The deciders over a batch of command records: versions, ids, rejections, repeats, dead letters, outcomes and
the commands accepted events call for, on in-memory stores."""

import dataclasses
import json
from collections.abc import Iterable
from typing import Any
from uuid import uuid4

from pydantic_core import to_json

from ops.settings import Settings
from schemas import topics
from schemas.codec import decode, encode
from schemas.envelope import Envelope, Payload
from schemas.inventory import ReleaseStock
from schemas.orders import ORDER_EVENTS, AddItem, CreateOrder, SubmitOrder
from schemas.outcomes import CommandOutcome, OutcomeStatus
from streams.app import store_spec
from streams.deciding import DECIDED_MARK, OUTCOMES_STORE, UNDECIDABLE_MARK, Deciders, Decisions, decide_command
from streams.folding import decide_settled
from streams.memory import MemoryStores
from streams.records import Consumed
from streams.specs import AGGREGATES, INVENTORY_AGGREGATE, ORDER_AGGREGATE
from tests.unit.builders import build as make
from tests.unit.envelopes import AT, command

ORDERS_TABLE = ORDER_AGGREGATE.table_name


class Run:
    """``Deciders`` over memory stores; each ``batch`` commits before the next."""

    def __init__(self, *specs: Any) -> None:
        self.stores = MemoryStores()
        self.deciders = Deciders(specs or AGGREGATES, self.stores.read)
        self.offset = 0

    def batch(self, *values: bytes | Envelope[Payload], key: bytes | None = None,
              topic: str = topics.ORDERS_COMMANDS) -> Decisions:
        return decide_settled(self.deciders, list(self._records(values, key, topic)), AT, self.stores)

    def _records(self, values: Iterable[bytes | Envelope[Payload]], key: bytes | None, topic: str
                 ) -> Iterable[Consumed]:
        for value in values:
            self.offset += 1
            if isinstance(value, bytes):
                yield Consumed(topic, 0, self.offset, key, value)
            else:
                yield Consumed(topic, 0, self.offset, key or value.aggregate_id.encode(), encode(value))

    def outcome(self, command_id: object) -> CommandOutcome:
        stored = self.stores.read(OUTCOMES_STORE, 0, str(command_id))
        assert stored is not None
        return CommandOutcome.model_validate_json(stored)

    def version(self, aggregate_id: str = "ORD-1") -> int:
        stored = self.stores.read(ORDERS_TABLE, 0, aggregate_id)
        return json.loads(stored)["version"] if stored else 0


def events_of(decisions: Decisions, topic: str = topics.ORDERS_EVENTS) -> list[Envelope[Payload]]:
    return [decode(record.value, ORDER_EVENTS) for record in decisions.records if record.topic == topic]


def test_accepted_command_emits_enveloped_events_numbered_from_the_state_version() -> None:
    run = Run()
    run.batch(command(make(CreateOrder)))
    add = command(make(AddItem))
    decisions = run.batch(add)
    assert [(event.type, event.version, event.command_id) for event in events_of(decisions)] == [
        ("ItemAdded", 3, add.id)]
    outcome = run.outcome(add.id)
    assert (outcome.status, outcome.version, run.version()) == (OutcomeStatus.ACCEPTED, 3, 3)


def test_the_outcome_carries_the_events_as_published() -> None:
    run, create = Run(), command(make(CreateOrder))
    decisions = run.batch(create)
    published = [json.loads(record.value) for record in decisions.records if record.topic == topics.ORDERS_EVENTS]
    assert run.outcome(create.id).events == published and len(published) == 2


def test_event_ids_and_times_are_deterministic_for_a_command() -> None:
    same = command(make(CreateOrder))
    first = decide_command(ORDER_AGGREGATE, None, same, AT)
    again = decide_command(ORDER_AGGREGATE, None, same, AT)
    assert first.event_values == again.event_values


def test_rejection_keeps_the_state_emits_nothing_and_records_the_outcome() -> None:
    run = Run()
    run.batch(command(make(CreateOrder)))
    stored = run.stores.read(ORDERS_TABLE, 0, "ORD-1")
    again = command(make(CreateOrder))
    decisions = run.batch(again)
    assert events_of(decisions) == [] and run.stores.read(ORDERS_TABLE, 0, "ORD-1") == stored
    outcome = run.outcome(again.id)
    assert (outcome.status, outcome.code, outcome.version) == (OutcomeStatus.REJECTED, "already_exists", 2)


def test_expected_version_mismatch_is_a_version_conflict() -> None:
    run = Run()
    run.batch(command(make(CreateOrder)))
    stale, current = command(make(SubmitOrder), expected_version=1), command(make(SubmitOrder), expected_version=2)
    run.batch(stale, current)
    assert run.outcome(stale.id).code == "version_conflict"
    assert run.outcome(current.id).status is OutcomeStatus.ACCEPTED


def test_a_command_id_decided_before_changes_nothing_and_emits_nothing_but_stores_its_state_again() -> None:
    run, add = Run(), command(make(AddItem))
    run.batch(command(make(CreateOrder)), add)
    first = run.outcome(add.id)
    for repeated in (run.batch(add), run.batch(add, add)):
        assert repeated.records == [] and repeated.repeats >= 1
        assert [(store, key) for store, _, key, _ in repeated.writes] == [(ORDERS_TABLE, "ORD-1")]
    assert run.outcome(add.id) == first and run.version() == 3


def test_a_repeat_within_one_batch_is_decided_once() -> None:
    run, create = Run(), command(make(CreateOrder))
    decisions = run.batch(create, create)
    assert (decisions.decided, decisions.repeats, len(events_of(decisions))) == (1, 1, 2)


def test_each_aggregate_is_stored_once_per_batch() -> None:
    run = Run()
    decisions = run.batch(command(make(CreateOrder)), command(make(AddItem)), command(make(SubmitOrder)))
    assert [key for store, _, key, _ in decisions.writes if store == ORDERS_TABLE] == ["ORD-1"]
    assert run.version() == 4


def test_a_submitted_order_sends_its_reservations_with_its_events() -> None:
    run = Run()
    decisions = run.batch(command(make(CreateOrder)), command(make(AddItem)), command(make(SubmitOrder)))
    reservations = [json.loads(record.value) for record in decisions.records
                    if record.topic == topics.INVENTORY_COMMANDS]
    assert [(body["type"], body["aggregate_id"], body["payload"]["order_version"]) for body in reservations] == [
        ("ReserveStock", "P-1", 4), ("ReserveStock", "P-2", 4)]


def test_a_command_accepted_without_events_by_a_missing_aggregate_leaves_it_at_version_0() -> None:
    run = Run(INVENTORY_AGGREGATE)
    release = command(ReleaseStock(sku="SKU-NEVER-RECEIVED", order_id="ORD-1", order_version=4), "SKU-NEVER-RECEIVED")
    decisions = run.batch(release, topic=topics.INVENTORY_COMMANDS)
    outcome = run.outcome(release.id)
    assert (outcome.status, outcome.version, outcome.events, decisions.records) == (OutcomeStatus.ACCEPTED, 0, [], [])


def test_an_entry_stored_with_remembered_outcomes_still_loads() -> None:
    run = Run()
    run.batch(command(make(CreateOrder)))
    state = json.loads(run.stores.read(ORDERS_TABLE, 0, "ORD-1"))
    former = Run()
    former.stores.data[(ORDERS_TABLE, 0, "ORD-1")] = to_json({"state": state, "outcomes": [{"command_id": "x"}]})
    submit = command(make(SubmitOrder))
    former.batch(submit)
    assert former.outcome(submit.id).version == 3


def failing_rule(state: object, payload: object) -> list:
    raise KeyError("a rule with a bug")


def test_a_command_whose_rule_raises_is_dead_lettered_and_rejected_as_undecidable() -> None:
    run, create = Run(dataclasses.replace(ORDER_AGGREGATE, decide=failing_rule)), command(make(CreateOrder))
    decisions = run.batch(create)
    [letter] = decisions.records
    assert letter.topic == topics.DEADLETTER
    reason = "deciding CreateOrder failed: KeyError: 'a rule with a bug'"
    assert json.loads(letter.value)["payload"]["error"] == reason
    outcome = run.outcome(create.id)
    assert (outcome.status, outcome.code, outcome.reason) == (OutcomeStatus.REJECTED, "undecidable", reason)
    assert run.stores.read(ORDERS_TABLE, 0, "ORD-1") is None


def test_a_dead_lettered_command_resent_corrected_is_decided() -> None:
    run, create = Run(), command(make(CreateOrder))
    broken = encode(create).replace(b'"customer_id":"CUST-1"', b'"customer_id":7')
    run.batch(broken, key=b"ORD-1")
    assert run.outcome(create.id).code == "undecidable"
    run.batch(create)
    assert run.outcome(create.id).status is OutcomeStatus.ACCEPTED and run.version() == 2


def test_a_record_that_names_no_command_is_only_a_dead_letter() -> None:
    run = Run()
    decisions = run.batch(b'{"type": "CreateOrder"', key=b"ORD-1")
    assert [record.topic for record in decisions.records] == [topics.DEADLETTER]
    assert [store for store, *_ in decisions.writes] == []


def test_the_command_after_a_failing_one_is_decided_as_usual() -> None:
    run, create = Run(), command(make(CreateOrder))
    decisions = run.batch(b'{"type": "CreateOrder"', create, key=b"ORD-1")
    assert [record.topic for record in decisions.records] == [topics.DEADLETTER, *[topics.ORDERS_EVENTS] * 2]
    assert run.outcome(create.id).status is OutcomeStatus.ACCEPTED


def test_a_command_keyed_by_another_aggregate_is_a_dead_letter() -> None:
    run, create = Run(), command(make(CreateOrder))
    decisions = run.batch(create, key=b"ORD-2")
    [letter] = decisions.records
    assert json.loads(letter.value)["payload"]["error"] == "record key b'ORD-2' is not the aggregate id 'ORD-1'"
    assert run.outcome(create.id).code == "undecidable"


def test_an_event_is_not_a_command() -> None:
    created = decode(decide_command(ORDER_AGGREGATE, None, command(make(CreateOrder)), AT).event_values[0])
    decisions = Run().batch(created)
    [letter] = decisions.records
    assert json.loads(letter.value)["payload"]["error"] == "OrderCreated does not belong on this topic"


def test_a_discarded_batch_leaves_no_trace() -> None:
    run = Run()
    run.deciders.decide([Consumed(topics.ORDERS_COMMANDS, 0, 1, b"ORD-1", encode(command(make(CreateOrder))))], AT)
    run.deciders.discarded()
    again = command(make(CreateOrder))
    run.batch(again)
    assert run.outcome(again.id).status is OutcomeStatus.ACCEPTED


def test_the_outcomes_folder_keeps_a_mark_of_each_outcome_and_still_tells_an_undecidable_one() -> None:
    spec = store_spec(Settings(), OUTCOMES_STORE)
    run, create = Run(), command(make(CreateOrder))
    run.batch(create)
    run.batch(b'{"id": "%b", "type": "CreateOrder"}' % str(uuid4()).encode(), key=b"ORD-9")
    kept = {key: spec.local(value) for (store, _, key), value in run.stores.data.items() if store == OUTCOMES_STORE}
    assert sorted(kept.values()) == [DECIDED_MARK, UNDECIDABLE_MARK]
    assert spec.changelog == topics.COMMAND_OUTCOMES and spec.local(kept[str(create.id)]) == DECIDED_MARK
