from decimal import Decimal

import pytest

from domain.order import Order, OrderStatus, PaymentStatus, evolve
from schemas.customers import CustomerRegistered
from schemas.envelope import Payload
from schemas.orders import (
    AddItem,
    CancelOrder,
    ConfirmOrder,
    CreateOrder,
    CustomerInfo,
    DeliverOrder,
    ItemAdded,
    ItemRemoved,
    LineItem,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    OrderDelivered,
    OrderShipped,
    OrderSubmitted,
    PaymentRecorded,
    RecordPayment,
    RemoveItem,
    ShipOrder,
    SubmitOrder,
)
from tests.unit.builders import FIRST_LINE, ORDER_ID, build, line, order_in, run_order

DRAFT, SUBMITTED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED = tuple(OrderStatus)
CREATED = OrderCreated(
    customer_id="CUST-1", customer=CustomerInfo(name="Ada", email="ada@example.com"), currency="USD",
    channel="mobile",
)
LATER_EVENTS: list[Payload] = [
    ItemAdded(**FIRST_LINE.model_dump()),
    ItemRemoved(product_id=FIRST_LINE.product_id),
    OrderSubmitted(items=[FIRST_LINE], total_amount=Decimal("19.98")),
    PaymentRecorded(amount=Decimal("1"), method="card", reference="R", amount_paid=Decimal("1"), payment_status="x"),
    OrderConfirmed(),
    OrderShipped(carrier="DHL", tracking_number="T"),
    OrderDelivered(),
    OrderCancelled(reason="r", previous_status="DRAFT"),
]


def test_created_starts_an_empty_unpaid_draft_at_version_1() -> None:
    assert evolve(None, CREATED, order_id=ORDER_ID) == Order(
        order_id=ORDER_ID, customer_id="CUST-1", currency="USD", status=DRAFT, customer=CREATED.customer,
        channel="mobile", version=1,
    )


def test_a_new_order_totals_zero_and_is_unpaid() -> None:
    created = evolve(None, CREATED, order_id=ORDER_ID)
    assert (str(created.total_amount), created.amount_paid, created.payment_status) == ("0.00", 0, PaymentStatus.UNPAID)


def test_an_order_cannot_be_created_twice() -> None:
    with pytest.raises(ValueError, match="created twice"):
        evolve(order_in(DRAFT), CREATED)


@pytest.mark.parametrize("event", LATER_EVENTS, ids=lambda event: type(event).__name__)
def test_events_cannot_apply_to_a_missing_order(event: Payload) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        evolve(None, event)


def test_an_order_refuses_events_of_other_aggregates() -> None:
    with pytest.raises(ValueError, match="orders do not apply CustomerRegistered"):
        evolve(order_in(DRAFT), CustomerRegistered(name="Ada", email="ada@example.com"))


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        ((FIRST_LINE,), "19.98"),
        ((FIRST_LINE, line("P-2", quantity=3, unit_price="0.10")), "20.28"),
        ((FIRST_LINE, line("P-2", quantity=1, unit_price="5.00"), FIRST_LINE), "44.96"),
    ],
    ids=["one-line", "two-lines", "merged-line"],
)
def test_total_amount_sums_quantity_times_unit_price(lines: tuple[LineItem, ...], total: str) -> None:
    draft = order_in(DRAFT, *lines)
    assert str(draft.total_amount) == total


def test_item_added_merges_into_the_line_of_the_same_product_in_place() -> None:
    draft = order_in(DRAFT, FIRST_LINE, line("P-2", quantity=1))
    merged = evolve(draft, ItemAdded(**line(FIRST_LINE.product_id, quantity=4).model_dump()))
    assert [(item.product_id, item.quantity) for item in merged.items] == [("P-1", 6), ("P-2", 1)]


def test_item_removed_drops_the_whole_line() -> None:
    draft = order_in(DRAFT, FIRST_LINE, line("P-2"))
    assert [item.product_id for item in evolve(draft, ItemRemoved(product_id="P-1")).items] == ["P-2"]


@pytest.mark.parametrize(
    ("before", "event", "after"),
    [
        (DRAFT, OrderSubmitted(items=[FIRST_LINE], total_amount=Decimal("19.98")), SUBMITTED),
        (SUBMITTED, OrderConfirmed(), CONFIRMED),
        (CONFIRMED, OrderShipped(carrier="DHL", tracking_number="T"), SHIPPED),
        (SHIPPED, OrderDelivered(), DELIVERED),
        (DRAFT, OrderCancelled(reason="r", previous_status="DRAFT"), CANCELLED),
        (SUBMITTED, OrderCancelled(reason="r", previous_status="SUBMITTED"), CANCELLED),
        (CONFIRMED, OrderCancelled(reason="r", previous_status="CONFIRMED"), CANCELLED),
    ],
    ids=lambda value: value.value if isinstance(value, OrderStatus) else type(value).__name__,
)
def test_status_events_move_the_status(before: OrderStatus, event: Payload, after: OrderStatus) -> None:
    state = order_in(before)
    moved = evolve(state, event)
    assert (moved.status, moved.version, moved.items) == (after, state.version + 1, state.items)


@pytest.mark.parametrize(
    ("amount_paid", "status"),
    [("5.00", PaymentStatus.PARTIALLY_PAID), ("19.97", PaymentStatus.PARTIALLY_PAID), ("19.98", PaymentStatus.PAID)],
)
def test_payment_recorded_sets_amount_paid_and_payment_status(amount_paid: str, status: PaymentStatus) -> None:
    payment = PaymentRecorded(
        amount=Decimal(amount_paid), method="card", reference="R", amount_paid=Decimal(amount_paid),
        payment_status=status.value,
    )
    paid = evolve(order_in(SUBMITTED), payment)
    assert (paid.amount_paid, paid.payment_status) == (Decimal(amount_paid), status)


def test_each_event_increments_version_from_1_without_gaps() -> None:
    commands = [
        build(CreateOrder, items=[]), build(AddItem), build(AddItem), build(RemoveItem, product_id="P-2"),
        build(AddItem, product_id="P-3"), build(SubmitOrder), build(RecordPayment), build(ConfirmOrder),
        build(ShipOrder), build(DeliverOrder),
    ]
    versions = []
    state = None
    for command in commands:
        state = run_order(state, command)
        versions.append(state.version)
    assert versions == list(range(1, len(commands) + 1))


def test_evolve_leaves_the_previous_state_untouched() -> None:
    draft = order_in(DRAFT)
    cancelled = run_order(draft, build(CancelOrder))
    assert (draft.status, draft.version, cancelled.version) == (DRAFT, 2, 3)
