"""The worker's projector on stored JSON bytes gives what ``ProjectionSpec.project`` gives on dicts."""

import json
from typing import Any

from schemas.orders import AddItem, CreateOrder, SubmitOrder
from streams.projecting import ProjectionSpec, Projector, Record, latest_snapshots
from streams.specs import CUSTOMER_VIEW, ORDER_VIEW
from tests.unit.builders import build
from tests.unit.projections import project_events
from tests.unit.test_customer_view import registered, summary
from tests.unit.test_order_projection import order_events


def project_stored(spec: ProjectionSpec[Any], events: list) -> tuple[bytes | None, list]:
    projector = Projector(spec)
    return project_events(spec, events, project=lambda view, event, part, position: projector.project(
        event, view, part, position))


def same_output(stored: list, as_dicts: list) -> bool:
    return all(
        (mine.actions, mine.records) == (theirs.actions, theirs.records)
        and (mine.view is None) == (theirs.view is None)
        and (mine.part is None) == (theirs.part is None)
        for mine, theirs in zip(stored, as_dicts, strict=True)
    )


def test_order_view_on_bytes_matches_the_view_on_dicts() -> None:
    events = order_events(build(CreateOrder), build(AddItem), build(SubmitOrder))
    view, stored = project_stored(ORDER_VIEW, events)
    expected_view, as_dicts = project_events(ORDER_VIEW, events)
    assert json.loads(view) == expected_view and same_output(stored, as_dicts)


def test_customer_view_with_its_parts_on_bytes_matches_the_view_on_dicts() -> None:
    events = [registered(), summary("ORD-1", 2, "DRAFT", submitted_at=None), summary("ORD-1", 4, "SUBMITTED")]
    view, stored = project_stored(CUSTOMER_VIEW, events)
    expected_view, as_dicts = project_events(CUSTOMER_VIEW, events)
    assert json.loads(view) == expected_view and same_output(stored, as_dicts)


def test_a_view_stored_by_the_dict_serializer_is_read() -> None:
    events = order_events(build(CreateOrder), build(AddItem))
    view, _ = project_events(ORDER_VIEW, events[:-1])
    projection = Projector(ORDER_VIEW).project(events[-1], json.dumps(view).encode())
    assert json.loads(projection.view) == project_events(ORDER_VIEW, events)[0]


def test_of_the_snapshots_of_one_thing_only_the_last_is_sent() -> None:
    records = [Record("t", b"k", b"1", snapshot_of="A"), Record("t", b"k", b"2"), Record("t", b"k", b"3", "B"),
               Record("u", b"k", b"4", snapshot_of="A"), Record("t", b"k", b"5", snapshot_of="A")]
    assert [record.value for record in latest_snapshots(records)] == [b"2", b"3", b"4", b"5"]


def test_order_summaries_are_snapshots_of_their_order() -> None:
    _, projections = project_events(ORDER_VIEW, order_events(build(CreateOrder), build(AddItem)))
    assert {record.snapshot_of for projection in projections for record in projection.records} == {"ORD-1"}
