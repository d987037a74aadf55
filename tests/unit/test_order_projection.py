"""The order view fold and the projector's version rules."""

import pytest

from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.orders import AddItem, CancelOrder, CreateOrder, SubmitOrder
from streams.deciding import AggregateEntry, handle_command
from streams.projecting import Projection, VersionGap
from streams.specs import ORDER_AGGREGATE, ORDER_VIEW
from tests.unit.builders import build
from tests.unit.envelopes import AT, command


def order_events(*payloads):
    entry, events = AggregateEntry(), []
    for payload in payloads:
        handled = handle_command(ORDER_AGGREGATE, entry, command(payload), AT)
        entry, events = handled.entry, [*events, *handled.events]
    return events


def project_all(events) -> tuple[dict | None, list[Projection]]:
    view, projections = None, []
    for event in events:
        projection = ORDER_VIEW.project(view, event)
        view = projection.view or view
        projections.append(projection)
    return view, projections


def test_folding_an_order_renders_the_document_with_line_totals_and_timestamps() -> None:
    events = order_events(build(CreateOrder), build(AddItem), build(SubmitOrder))
    _, projections = project_all(events)
    order_action, event_action = projections[-1].actions
    assert (order_action.index, order_action.doc_id, order_action.version) == (ORDERS.alias, "ORD-1", 4)
    document = order_action.document
    assert document["status"] == "SUBMITTED" and document["version"] == 4
    assert [line["line_total"] for line in document["items"]] == ["19.98", "5.00"]
    assert document["total_amount"] == "24.98" and document["item_count"] == 3
    assert document["submitted_at"] == document["updated_at"] and document["created_at"]
    assert (event_action.index, event_action.version) == (ORDER_EVENTS.alias, 4)
    assert event_action.document["status"] == "SUBMITTED" and event_action.document["amount"] == "24.98"


def test_a_cancellation_keeps_its_reason_on_the_order_and_the_timeline() -> None:
    _, projections = project_all(order_events(build(CreateOrder), build(CancelOrder, reason="too slow")))
    order_action, event_action = projections[-1].actions
    assert order_action.document["cancel_reason"] == "too slow" and order_action.document["cancelled_at"]
    assert event_action.document["cancel_reason"] == "too slow"


def test_a_duplicate_event_changes_no_view_but_sends_its_documents_again() -> None:
    events = order_events(build(CreateOrder), build(AddItem))
    view, _ = project_all(events)
    again = ORDER_VIEW.project(view, events[0])
    assert again.view is None
    assert {action.version for action in again.actions} == {3, 1}


def test_a_gap_in_versions_is_refused() -> None:
    events = order_events(build(CreateOrder), build(AddItem))
    with pytest.raises(VersionGap):
        ORDER_VIEW.project(None, events[-1])
