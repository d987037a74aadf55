"""The order view fold and the projector's version rules."""

from decimal import Decimal
from functools import partial

from schemas.codec import decode
from schemas.customers import ORDER_SUMMARY_MESSAGES
from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.orders import ORDER_EVENTS as ORDER_EVENT_TYPES
from schemas.orders import AddItem, CancelOrder, ConfirmOrder, CreateOrder, SubmitOrder
from schemas.topics import CUSTOMERS_ORDER_SUMMARIES
from streams.deciding import decide_command
from streams.specs import CUSTOMER_VIEW, ORDER_AGGREGATE, ORDER_VIEW
from tests.unit.builders import build
from tests.unit.envelopes import AT, command
from tests.unit.projections import ProjectionRun, Step, consumed, project_events


def order_events(*payloads):
    state, events = None, []
    for payload in payloads:
        decided = decide_command(ORDER_AGGREGATE, state, command(payload), AT)
        state, events = decided.state, [*events, *(decode(value, ORDER_EVENT_TYPES) for value in decided.event_values)]
    return events


project_all = partial(project_events, ORDER_VIEW)


def test_folding_an_order_renders_the_document_with_line_totals_and_timestamps() -> None:
    events = order_events(build(CreateOrder), build(AddItem), build(SubmitOrder))
    _, projections = project_all(events)
    event_action, order_action = projections[-1].actions
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
    event_action, order_action = projections[-1].actions
    assert order_action.document["cancel_reason"] == "too slow" and order_action.document["cancelled_at"]
    assert event_action.document["cancel_reason"] == "too slow"


def test_a_duplicate_event_changes_no_view_and_sends_nothing() -> None:
    events = order_events(build(CreateOrder), build(AddItem))
    _, steps = project_all([*events, events[0]])
    again = steps[-1]
    assert (again.view, again.actions, again.records, again.dead_letters) == (None, [], [], [])


def test_a_batch_renders_each_order_once_as_the_batch_leaves_it_and_each_event_once() -> None:
    events = order_events(build(CreateOrder), build(AddItem), build(SubmitOrder))
    projected = ProjectionRun(ORDER_VIEW).batch([consumed(ORDER_VIEW, event, n) for n, event in enumerate(events)])
    orders = [action for action, _ in projected.actions if action.index == ORDERS.alias]
    timeline = [action for action, _ in projected.actions if action.index == ORDER_EVENTS.alias]
    assert [(action.version, action.document["status"]) for action in orders] == [(4, "SUBMITTED")]
    assert [action.version for action in timeline] == [1, 2, 3, 4]
    [(_, summary)] = decoded_summaries(projected)
    assert summary.payload.order_version == 4


def decoded_summaries(projection: Step) -> list:
    assert {record.topic for record in projection.records} == {CUSTOMERS_ORDER_SUMMARIES}
    return [(record.key, decode(record.value, ORDER_SUMMARY_MESSAGES)) for record in projection.records]


def test_each_folded_event_sends_the_order_summary_keyed_by_the_customer() -> None:
    _, projections = project_all(order_events(build(CreateOrder), build(AddItem), build(SubmitOrder)))
    [(key, summary)] = decoded_summaries(projections[-1])
    assert key == b"CUST-1" and summary.aggregate_id == "CUST-1" and summary.version is None
    payload = summary.payload
    assert (payload.order_id, payload.order_version, payload.status, payload.total_amount) == (
        "ORD-1", 4, "SUBMITTED", Decimal("24.98"))
    assert [(line.product_id, line.quantity, line.line_total) for line in payload.items] == [
        ("P-1", 2, Decimal("19.98")), ("P-2", 1, Decimal("5.00"))]
    assert payload.submitted_at == AT and payload.created_at == AT


def test_a_summary_id_is_a_function_of_the_order_version() -> None:
    events = order_events(build(CreateOrder), build(AddItem))
    _, first = project_all(events)
    _, second = project_all(events)
    [(_, latest)] = decoded_summaries(first[-1])
    [(_, again)] = decoded_summaries(second[-1])
    assert again.payload.order_version == 3 and again.id == latest.id


def test_summaries_fold_into_the_customer_view() -> None:
    _, projections = project_all(order_events(build(CreateOrder), build(SubmitOrder), build(ConfirmOrder)))
    summaries = [summary for projection in projections for _, summary in decoded_summaries(projection)]
    document = project_events(CUSTOMER_VIEW, summaries)[1][-1].actions[0].document
    assert (document["customer_id"], document["total_orders"], document["total_spent"], document["version"]) == (
        "CUST-1", 1, "19.98", 4)
