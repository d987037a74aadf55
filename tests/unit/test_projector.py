"""The projectors over a batch of event records: one topic feeds one view, undecodable records and events a view
cannot apply are dead-lettered once, a view behind holds what follows until it can catch up, a discarded batch
leaves no trace."""

import json

import pytest

from schemas.orders import AddItem, CancelOrder, CreateOrder, SubmitOrder
from schemas.topics import DEADLETTER, ORDERS_EVENTS
from streams.projecting import HELD_EVENTS, Projectors
from streams.records import Consumed
from streams.specs import CUSTOMER_VIEW, ORDER_VIEW, PROJECTIONS
from tests.unit.builders import build
from tests.unit.projections import PARTITION, ProjectionRun, consumed
from tests.unit.test_order_projection import order_events


def order_run() -> ProjectionRun:
    return ProjectionRun(*PROJECTIONS)


def records(events: list, first_offset: int = 0) -> list[Consumed]:
    return [consumed(ORDER_VIEW, event, offset) for offset, event in enumerate(events, start=first_offset)]


def order_version(run: ProjectionRun) -> int:
    return run.stores.parsed(ORDER_VIEW.table_name)["ORD-1"]["order"]["version"]


def test_a_topic_feeds_one_view_only() -> None:
    with pytest.raises(ValueError, match="feeds both"):
        Projectors([ORDER_VIEW, ORDER_VIEW], lambda *key: None)


def test_an_undecodable_record_is_dead_lettered_with_its_origin() -> None:
    run = order_run()
    projected = run.batch([Consumed(ORDERS_EVENTS, 2, 41, b"ORD-1", b"{not json")])
    [letter] = projected.dead_letters
    body = json.loads(letter.value)["payload"]
    assert (letter.topic, body["source_topic"], body["partition"], body["offset"]) == (DEADLETTER, ORDERS_EVENTS, 2, 41)


def test_a_view_behind_holds_the_later_events_without_dead_lettering_them_and_catches_up() -> None:
    events = order_events(build(CreateOrder), build(AddItem), build(SubmitOrder))  # versions 1..4
    run = order_run()
    first = run.batch(records([events[0], events[2], events[3]]))
    assert first.dead_letters == [] and order_version(run) == 1
    behind = run.projectors.behind(ORDER_VIEW.name, PARTITION, "ORD-1")
    assert behind is not None and (behind.since_version, len(behind.held)) == (1, 2)
    assert "expected version 2, got 3" in behind.reason
    [order] = [action for action, _ in first.actions if action.index == "orders"]
    assert (order.version, order.document["behind"]["since_version"], order.document["behind"]["waiting_events"]) == (
        1, 1, 2)
    second = run.batch(records([events[1]], first_offset=3))
    assert order_version(run) == 4 and run.projectors.behind(ORDER_VIEW.name, PARTITION, "ORD-1") is None
    timeline = sorted(action.version for action, _ in second.actions if action.index == "order-events")
    assert timeline == [2, 3, 4]
    [order] = [action for action, _ in second.actions if action.index == "orders"]
    assert (order.version, order.document["behind"], order.same_version) == (4, None, False)


def test_a_view_that_falls_behind_without_moving_says_so_at_the_version_it_has() -> None:
    events = order_events(build(CreateOrder), build(AddItem), build(SubmitOrder))
    run = order_run()
    run.batch(records(events[:1]))
    gap = run.batch(records(events[2:3], first_offset=1))
    [order] = [action for action, _ in gap.actions]
    assert (order.index, order.version, order.same_version) == ("orders", 1, True)
    assert order.document["behind"] == {"since_version": 1, "reason": "ORD-1: expected version 2, got 3",
                                        "waiting_events": 1}
    assert gap.records == []  # no summary: the order itself did not move


def test_an_event_the_view_cannot_apply_is_dead_lettered_once_and_what_follows_is_held() -> None:
    events = order_events(build(CreateOrder), build(AddItem), build(CancelOrder, reason="no"))
    cannot = events[1].model_copy(update={"payload": events[1].payload.model_copy(update={"quantity": 0})})
    run = order_run()
    projected = run.batch(records([events[0], cannot, events[2]]))
    assert len(projected.dead_letters) == 1 and b"cannot apply ItemAdded" in projected.dead_letters[0].value
    behind = run.projectors.behind(ORDER_VIEW.name, PARTITION, "ORD-1")
    assert behind is not None and behind.since_version == 1 and len(behind.held) == 1


def test_a_view_holds_a_bounded_number_of_events_and_counts_the_rest() -> None:
    create = order_events(build(CreateOrder))[0]
    later = [create.model_copy(update={"version": version}) for version in range(3, HELD_EVENTS + 13)]
    run = order_run()
    run.batch(records([create, *later]))
    behind = run.projectors.behind(ORDER_VIEW.name, PARTITION, "ORD-1")
    assert behind is not None and (len(behind.held), behind.not_held) == (HELD_EVENTS, 10)


def test_a_discarded_batch_leaves_the_stores_and_what_is_kept_parsed_as_they_were() -> None:
    events = order_events(build(CreateOrder), build(AddItem))
    run = order_run()
    run.batch(records(events[:1]))
    run.projectors.project(records(events[1:], first_offset=1))
    run.projectors.discarded()
    assert order_version(run) == 1
    again = run.batch(records(events[1:], first_offset=1))
    assert order_version(run) == 3 and [a.version for a, _ in again.actions if a.index == "orders"] == [3]


def test_customer_events_and_order_summaries_fold_into_one_view() -> None:
    from tests.unit.test_customer_view import line, registered, summary

    run = ProjectionRun(CUSTOMER_VIEW)
    facts = [registered(), summary("ORD-1", 4, "SUBMITTED", line("P-1", 2, "20.00"))]
    projected = run.batch([consumed(CUSTOMER_VIEW, fact, offset) for offset, fact in enumerate(facts)])
    [action] = [action for action, _ in projected.actions]
    assert (action.version, action.document["name"], action.document["total_spent"]) == (5, "Ada Lovelace", "20.00")
