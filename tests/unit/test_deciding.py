"""handle_command: versions, ids, rejections and redelivered command ids."""

import dataclasses
import json

from schemas.codec import encode
from schemas.outcomes import OutcomeStatus
from streams.deciding import REMEMBERED_OUTCOMES, AggregateEntry, Decider, EntryCodec, handle_command
from streams.specs import INVENTORY_AGGREGATE, ORDER_AGGREGATE
from tests.unit.builders import build as make
from tests.unit.envelopes import AT, command
from schemas.inventory import ReleaseStock
from schemas.orders import AddItem, CreateOrder, SubmitOrder


def created() -> AggregateEntry:
    return handle_command(ORDER_AGGREGATE, AggregateEntry(), command(make(CreateOrder)), AT).entry


def test_accepted_command_emits_enveloped_events_numbered_from_the_state_version() -> None:
    handled = handle_command(ORDER_AGGREGATE, created(), command(make(AddItem)), AT)
    assert handled.outcome.status is OutcomeStatus.ACCEPTED
    assert [(event.type, event.version) for event in handled.events] == [("ItemAdded", 3)]
    assert handled.outcome.version == 3 and handled.entry.state.version == 3
    assert handled.events[0].command_id == handled.outcome.command_id


def test_event_ids_and_times_are_deterministic_for_a_command() -> None:
    same = command(make(CreateOrder))
    first = handle_command(ORDER_AGGREGATE, AggregateEntry(), same, AT).events
    again = handle_command(ORDER_AGGREGATE, AggregateEntry(), same, AT).events
    assert [event.model_dump() for event in first] == [event.model_dump() for event in again]


def test_rejection_keeps_the_state_and_records_the_outcome() -> None:
    entry = created()
    handled = handle_command(ORDER_AGGREGATE, entry, command(make(CreateOrder)), AT)
    assert handled.outcome.status is OutcomeStatus.REJECTED and handled.outcome.code == "already_exists"
    assert handled.events == [] and handled.entry.state == entry.state


def test_expected_version_mismatch_is_a_version_conflict() -> None:
    handled = handle_command(ORDER_AGGREGATE, created(), command(make(SubmitOrder), expected_version=1), AT)
    assert handled.outcome.code == "version_conflict"
    matching = handle_command(ORDER_AGGREGATE, created(), command(make(SubmitOrder), expected_version=2), AT)
    assert matching.outcome.status is OutcomeStatus.ACCEPTED


def test_a_redelivered_command_id_returns_the_first_outcome_and_its_events_again() -> None:
    add = command(make(AddItem))
    first = handle_command(ORDER_AGGREGATE, created(), add, AT)
    again = handle_command(ORDER_AGGREGATE, first.entry, add, AT)
    assert again.redelivered and again.outcome == first.outcome and again.entry == first.entry
    assert [event.model_dump() for event in again.events] == [event.model_dump() for event in first.events]


def test_only_the_most_recent_outcomes_are_remembered() -> None:
    entry = created()
    for _ in range(REMEMBERED_OUTCOMES + 5):
        entry = handle_command(ORDER_AGGREGATE, entry, command(make(CreateOrder)), AT).entry
    assert len(entry.outcomes) == REMEMBERED_OUTCOMES


def test_entry_survives_the_table_codec() -> None:
    codec = EntryCodec(ORDER_AGGREGATE)
    entry = handle_command(ORDER_AGGREGATE, created(), command(make(AddItem)), AT).entry
    assert codec.load(codec.dump(entry)) == entry
    assert codec.load(None) == AggregateEntry()


def test_a_command_accepted_without_events_by_a_missing_aggregate_leaves_it_at_version_0() -> None:
    release = ReleaseStock(sku="SKU-NEVER-RECEIVED", order_id="ORD-1", order_version=4)
    handled = handle_command(INVENTORY_AGGREGATE, AggregateEntry(), command(release, "SKU-NEVER-RECEIVED"), AT)
    assert handled.outcome.status is OutcomeStatus.ACCEPTED
    assert (handled.outcome.version, handled.events, handled.entry.state) == (0, [], None)


def test_the_stored_entry_carries_each_outcome_as_published() -> None:
    handled = handle_command(ORDER_AGGREGATE, created(), command(make(AddItem)), AT)
    stored = json.loads(EntryCodec(ORDER_AGGREGATE).dump(handled.entry))
    assert stored["outcomes"][-1] == json.loads(handled.outcome_value)
    assert [json.loads(value) for value in handled.event_values] == handled.outcome.events


def test_an_entry_stored_by_the_dict_serializer_still_loads() -> None:
    entry = handle_command(ORDER_AGGREGATE, created(), command(make(AddItem)), AT).entry
    codec = EntryCodec(ORDER_AGGREGATE)
    as_dicts = json.dumps(json.loads(codec.dump(entry)), indent=1).encode()
    assert codec.load(as_dicts) == entry


def test_the_decider_stores_what_it_decided_and_nothing_for_a_repeat() -> None:
    decider, add = Decider(ORDER_AGGREGATE), command(make(AddItem))
    _, stored = decider.decide(command(make(CreateOrder)), None, AT)
    first, stored_again = decider.decide(add, stored, AT)
    assert EntryCodec(ORDER_AGGREGATE).load(stored_again) == first.entry
    repeat, unchanged = decider.decide(add, stored_again, AT)
    assert repeat.redelivered and unchanged is None and repeat.outcome_value == first.outcome_value


def test_the_decider_reads_an_entry_it_did_not_store_from_the_table() -> None:
    elsewhere = Decider(ORDER_AGGREGATE)
    _, stored = elsewhere.decide(command(make(CreateOrder)), None, AT)
    handled, _ = Decider(ORDER_AGGREGATE).decide(command(make(SubmitOrder)), stored, AT)
    assert handled.outcome.status is OutcomeStatus.ACCEPTED and handled.outcome.version == 3


def failing_rule(state: object, payload: object) -> list:
    raise KeyError("a rule with a bug")


def test_a_command_whose_rule_raises_becomes_a_dead_letter_with_the_error_and_nothing_else() -> None:
    decider = Decider(dataclasses.replace(ORDER_AGGREGATE, decide=failing_rule))
    create = command(make(CreateOrder))
    decided = decider.decide_record(b"ORD-1", encode(create), lambda _: None, AT)
    assert decided.dead_letter_reason == "deciding CreateOrder failed: KeyError: 'a rule with a bug'"
    assert decided.event_values == () and decided.outcome_value is None and decided.stored is None


def test_the_command_after_a_failing_one_is_decided_as_usual() -> None:
    decider, table = Decider(ORDER_AGGREGATE), {}
    broken = decider.decide_record(b"ORD-1", b'{"type": "CreateOrder"', table.get, AT)
    decided = decider.decide_record(b"ORD-1", encode(command(make(CreateOrder))), table.get, AT)
    assert broken.dead_letter_reason is not None and decided.dead_letter_reason is None
    assert json.loads(decided.outcome_value)["status"] == "accepted" and len(decided.event_values) == 2
    assert EntryCodec(ORDER_AGGREGATE).load(decided.stored).state.version == 2


def test_a_command_keyed_by_another_aggregate_is_a_dead_letter() -> None:
    decided = Decider(ORDER_AGGREGATE).decide_record(b"ORD-2", encode(command(make(CreateOrder))), lambda _: None, AT)
    assert decided.dead_letter_reason == "record key b'ORD-2' is not the aggregate id 'ORD-1'"


def test_an_event_is_not_a_command() -> None:
    created = handle_command(ORDER_AGGREGATE, AggregateEntry(), command(make(CreateOrder)), AT).events[0]
    decided = Decider(ORDER_AGGREGATE).decide_record(b"ORD-1", encode(created), lambda _: None, AT)
    assert decided.dead_letter_reason == "OrderCreated does not belong on this topic"
