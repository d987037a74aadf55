"""The customer view: order summaries and customer events folded into one document per customer."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from schemas.customers import CustomerRegistered, CustomerUpdated, OrderSummary, OrderSummaryLine
from schemas.envelope import Envelope, Payload
from schemas.mappings import CUSTOMERS
from streams.projecting import VersionGap
from streams.specs import CUSTOMER_VIEW
from tests.unit.envelopes import AT, envelope
from tests.unit.projections import project_events

CUSTOMER = "CUST-1"
DAY = timedelta(days=1)


def line(product_id: str, quantity: int, line_total: str, name: str | None = None) -> OrderSummaryLine:
    return OrderSummaryLine(product_id=product_id, product_name=name or f"product {product_id}", quantity=quantity,
                            line_total=Decimal(line_total))


def summary(order_id: str, version: int, status: str, *lines: OrderSummaryLine, submitted_at: datetime | None = AT,
            created_at: datetime = AT) -> Envelope[Payload]:
    total = sum((item.line_total for item in lines), Decimal("0"))
    payload = OrderSummary(order_id=order_id, order_version=version, status=status, total_amount=total,
                           currency="EUR", created_at=created_at, submitted_at=submitted_at, items=list(lines))
    return envelope(payload, CUSTOMER, None, occurred_at=submitted_at or created_at)


def registered(name: str = "Ada Lovelace", email: str = "ada@example.com", at: datetime = AT) -> Envelope[Payload]:
    return envelope(CustomerRegistered(name=name, email=email), CUSTOMER, 1, occurred_at=at)


def updated(version: int, **changes: str) -> Envelope[Payload]:
    return envelope(CustomerUpdated(**changes), CUSTOMER, version, occurred_at=AT + DAY)


project_all = partial(project_events, CUSTOMER_VIEW)


def document(events: list[Envelope[Payload]]) -> dict[str, Any]:
    action = project_all(events)[1][-1].actions[0]
    assert (action.index, action.doc_id, action.version) == (CUSTOMERS.alias, CUSTOMER, action.document["version"])
    return action.document


PLACED_AND_NOT = [
    summary("ORD-1", 4, "SUBMITTED", line("P-1", 2, "20.00")),
    summary("ORD-2", 5, "CONFIRMED", line("P-2", 1, "15.50")),
    summary("ORD-3", 6, "SHIPPED", line("P-1", 1, "10.00")),
    summary("ORD-4", 7, "DELIVERED", line("P-3", 3, "30.00")),
    summary("ORD-5", 3, "CANCELLED", line("P-9", 9, "99.00")),
    summary("ORD-6", 2, "DRAFT", line("P-9", 9, "99.00"), submitted_at=None),
]


def test_totals_and_average_count_placed_orders_only() -> None:
    doc = document(PLACED_AND_NOT)
    assert (doc["total_orders"], doc["total_spent"], doc["average_order_value"]) == (4, "75.50", "18.88")


def test_orders_by_status_counts_every_order_and_names_every_status() -> None:
    assert document(PLACED_AND_NOT)["orders_by_status"] == {
        "DRAFT": 1, "SUBMITTED": 1, "CONFIRMED": 1, "SHIPPED": 1, "DELIVERED": 1, "CANCELLED": 1}


def test_a_customer_with_only_drafts_and_cancellations_has_no_totals() -> None:
    doc = document(PLACED_AND_NOT[4:])
    assert (doc["total_orders"], doc["total_spent"], doc["average_order_value"]) == (0, "0.00", None)
    assert (doc["first_order_at"], doc["last_order_at"], doc["favourite_products"]) == (None, None, [])


def test_favourites_rank_placed_quantities_with_ties_by_product_id() -> None:
    favourites = document(PLACED_AND_NOT)["favourite_products"]
    assert [(f["product_id"], f["quantity"]) for f in favourites] == [("P-1", 3), ("P-3", 3), ("P-2", 1)]
    assert favourites[0]["product_name"] == "product P-1"


def test_favourites_keep_the_five_largest_and_the_latest_name() -> None:
    orders = [summary(f"ORD-{n}", 1, "SUBMITTED", line(f"P-{n}", n, "1.00"), submitted_at=AT + n * DAY)
              for n in range(1, 8)]
    renamed = summary("ORD-9", 1, "SUBMITTED", line("P-7", 1, "1.00", name="Lamp, new name"), submitted_at=AT + 9 * DAY)
    favourites = document([*orders, renamed])["favourite_products"]
    assert [(f["product_id"], f["quantity"]) for f in favourites] == [
        ("P-7", 8), ("P-6", 6), ("P-5", 5), ("P-4", 4), ("P-3", 3)]
    assert favourites[0]["product_name"] == "Lamp, new name"


def test_first_and_last_order_are_when_placed_orders_were_submitted_whatever_the_arrival_order() -> None:
    late = summary("ORD-2", 2, "SUBMITTED", line("P-1", 1, "1.00"), submitted_at=AT + 3 * DAY)
    early = summary("ORD-1", 2, "SUBMITTED", line("P-1", 1, "1.00"), submitted_at=AT + DAY, created_at=AT - DAY)
    draft = summary("ORD-3", 1, "DRAFT", line("P-1", 1, "1.00"), submitted_at=None, created_at=AT + 9 * DAY)
    doc = document([late, draft, early])
    assert (doc["first_order_at"], doc["last_order_at"]) == ("2026-03-02T12:00:00Z", "2026-03-04T12:00:00Z")


def test_a_newer_summary_replaces_the_order_so_a_cancellation_leaves_the_totals() -> None:
    submitted = summary("ORD-1", 4, "SUBMITTED", line("P-1", 2, "20.00"))
    cancelled = summary("ORD-1", 5, "CANCELLED", line("P-1", 2, "20.00"))
    doc = document([submitted, cancelled])
    assert (doc["total_orders"], doc["total_spent"], doc["version"]) == (0, "0.00", 5)
    assert doc["orders_by_status"]["CANCELLED"] == 1 and doc["orders_by_status"]["SUBMITTED"] == 0


def test_an_older_or_repeated_summary_changes_nothing_and_resends_the_current_document() -> None:
    newer = summary("ORD-1", 5, "CONFIRMED", line("P-1", 2, "20.00"))
    older = summary("ORD-1", 4, "SUBMITTED", line("P-1", 2, "20.00"))
    view, projections = project_all([newer, older, newer])
    assert [projection.view is None for projection in projections] == [False, True, True]
    resent = projections[-1].actions[0]
    assert (resent.version, resent.document["orders_by_status"]["CONFIRMED"]) == (5, 1)
    assert view is not None and view["orders"]["ORD-1"]["order_version"] == 5


def test_orders_before_the_registration_are_counted_and_named_later() -> None:
    order = summary("ORD-1", 4, "SUBMITTED", line("P-1", 2, "20.00"))
    before = document([order])
    assert (before["name"], before["email"], before["total_orders"], before["version"]) == (None, None, 1, 4)
    after = document([order, registered()])
    assert (after["name"], after["email"], after["total_orders"], after["version"]) == (
        "Ada Lovelace", "ada@example.com", 1, 5)
    assert after["registered_at"] == "2026-03-01T12:00:00Z"


def test_a_registered_customer_without_orders_has_a_document() -> None:
    doc = document([registered()])
    assert (doc["name"], doc["total_orders"], doc["version"]) == ("Ada Lovelace", 0, 1)
    assert doc["orders_by_status"]["DRAFT"] == 0


def test_updates_change_only_what_they_carry() -> None:
    doc = document([registered(), updated(2, email="ada.king@example.com"), updated(3, name="Ada King")])
    assert (doc["name"], doc["email"], doc["version"]) == ("Ada King", "ada.king@example.com", 3)
    assert doc["updated_at"] == "2026-03-02T12:00:00Z"


def test_a_repeated_customer_event_changes_nothing() -> None:
    _, projections = project_all([registered(), updated(2, name="Ada King"), registered(name="Someone Else")])
    assert projections[-1].view is None
    assert projections[-1].actions[0].document["name"] == "Ada King"


def test_a_gap_in_customer_versions_is_refused() -> None:
    with pytest.raises(VersionGap):
        project_all([registered(), updated(3, name="Ada King")])


FACTS = [
    registered(),
    updated(2, name="Ada King"),
    summary("ORD-1", 4, "SUBMITTED", line("P-1", 2, "20.00")),
    summary("ORD-1", 6, "SHIPPED", line("P-1", 2, "20.00")),
    summary("ORD-2", 3, "CONFIRMED", line("P-2", 1, "5.00")),
]


def customer_events_in_order(facts: tuple[Envelope[Payload], ...]) -> bool:
    versions = [fact.version for fact in facts if fact.version is not None]
    return versions == sorted(versions)


@pytest.mark.parametrize("facts", [
    facts for facts in itertools.permutations(FACTS) if customer_events_in_order(facts)
])
def test_the_version_only_grows_and_every_order_of_arrival_ends_in_the_same_document(
    facts: tuple[Envelope[Payload], ...],
) -> None:
    _, projections = project_all([*facts, facts[0]])
    versions = [projection.actions[0].version for projection in projections]
    assert versions == sorted(versions)
    changed = [p.actions[0].version for p in projections if p.view is not None]
    assert len(changed) == len(set(changed))
    final = projections[-1].actions[0].document
    assert (final["version"], final["name"], final["total_spent"], final["orders_by_status"]["SHIPPED"]) == (
        2 + 6 + 3, "Ada King", "25.00", 1)
