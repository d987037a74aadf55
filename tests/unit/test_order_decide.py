from decimal import Decimal

import pytest

from domain.order import MAX_LINE_QUANTITY, MAX_ORDER_TOTAL, OrderStatus, PaymentStatus, decide
from domain.rejections import check_expected_version
from schemas.customers import RegisterCustomer
from schemas.envelope import Payload
from schemas.orders import (
    ORDER_COMMANDS,
    AddItem,
    CancelOrder,
    ConfirmOrder,
    CreateOrder,
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
from schemas.outcomes import Rejection
from tests.unit.builders import (
    FIRST_LINE,
    accepted,
    build,
    build_unchecked,
    event_types,
    line,
    order_in,
    refused,
    run_order,
)

DRAFT, SUBMITTED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED = STATUSES = tuple(OrderStatus)
OK = None

# DESIGN.md section 4: one row per command, one column per status in the order
# DRAFT, SUBMITTED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED; OK: accepted, else the rejection code.
LIFECYCLE: dict[type[Payload], tuple[str | None, ...]] = {
    CreateOrder: ("already_exists",) * len(STATUSES),
    AddItem: (OK, "not_draft", "not_draft", "not_draft", "not_draft", "not_draft"),
    RemoveItem: (OK, "not_draft", "not_draft", "not_draft", "not_draft", "not_draft"),
    SubmitOrder: (OK, "not_draft", "not_draft", "not_draft", "not_draft", "not_draft"),
    RecordPayment: ("payment_not_allowed", OK, OK, "payment_not_allowed", "payment_not_allowed", "payment_not_allowed"),
    ConfirmOrder: ("not_submitted", OK, "not_submitted", "not_submitted", "not_submitted", "not_submitted"),
    ShipOrder: ("not_confirmed", "not_confirmed", OK, "not_confirmed", "not_confirmed", "not_confirmed"),
    DeliverOrder: ("not_shipped", "not_shipped", "not_shipped", OK, "not_shipped", "not_shipped"),
    CancelOrder: (OK, OK, OK, "already_shipped", "already_shipped", "already_cancelled"),
}
EVENT_OF: dict[type[Payload], type[Payload]] = {
    AddItem: ItemAdded, RemoveItem: ItemRemoved, SubmitOrder: OrderSubmitted, RecordPayment: PaymentRecorded,
    ConfirmOrder: OrderConfirmed, ShipOrder: OrderShipped, DeliverOrder: OrderDelivered, CancelOrder: OrderCancelled,
}
CELLS = [
    pytest.param(command, status, code, id=f"{command.__name__}-{status}")
    for command, row in LIFECYCLE.items()
    for status, code in zip(STATUSES, row, strict=True)
]
ALLOWED = [pytest.param(*cell.values[:2], id=cell.id) for cell in CELLS if cell.values[2] is OK]
REFUSED = [cell for cell in CELLS if cell.values[2] is not OK]


def test_lifecycle_table_covers_every_command() -> None:
    assert set(LIFECYCLE) == set(ORDER_COMMANDS)


@pytest.mark.parametrize(("command", "status"), ALLOWED)
def test_lifecycle_allows(command: type[Payload], status: OrderStatus) -> None:
    assert event_types(decide(order_in(status), build(command))) == [EVENT_OF[command]]


@pytest.mark.parametrize(("command", "status", "code"), REFUSED)
def test_lifecycle_refuses(command: type[Payload], status: OrderStatus, code: str) -> None:
    rejection = refused(decide(order_in(status), build(command)))
    assert rejection.code == code
    assert rejection.reason


@pytest.mark.parametrize("command", [c for c in ORDER_COMMANDS if c is not CreateOrder], ids=lambda c: c.__name__)
def test_commands_for_a_missing_order_are_not_found(command: type[Payload]) -> None:
    assert refused(decide(None, build(command))).code == "not_found"


def test_an_order_refuses_commands_of_other_aggregates() -> None:
    assert refused(decide(order_in(DRAFT), build(RegisterCustomer))).code == "unknown_command"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], [OrderCreated]),
        ([FIRST_LINE], [OrderCreated, ItemAdded]),
        ([FIRST_LINE, line("P-2"), FIRST_LINE], [OrderCreated, ItemAdded, ItemAdded, ItemAdded]),
    ],
    ids=["no-items", "one-item", "repeated-product"],
)
def test_create_emits_created_then_one_event_per_item(items: list[LineItem], expected: list[type[Payload]]) -> None:
    assert event_types(decide(None, build(CreateOrder, items=items))) == expected


def test_create_records_the_customer_currency_and_channel() -> None:
    created = accepted(decide(None, build(CreateOrder, customer_id="CUST-9", currency="USD", channel="store")))[0]
    assert created == OrderCreated(customer_id="CUST-9", currency="USD", channel="store")


def test_an_order_whose_client_names_no_channel_was_placed_through_the_api() -> None:
    assert accepted(decide(None, build(CreateOrder)))[0].channel == "api"


def test_create_requires_a_customer_id() -> None:
    assert refused(decide(None, build(CreateOrder, customer_id="  "))).code == "customer_required"


def test_create_refuses_one_product_at_two_prices() -> None:
    items = [FIRST_LINE, line(unit_price="1.00")]
    assert refused(decide(None, build(CreateOrder, items=items))).code == "price_mismatch"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"quantity": 0}, "invalid_quantity"),
        ({"quantity": -1}, "invalid_quantity"),
        ({"unit_price": Decimal("0")}, "invalid_price"),
        ({"unit_price": Decimal("-0.01")}, "invalid_price"),
        ({"product_id": FIRST_LINE.product_id, "unit_price": Decimal("9.98")}, "price_mismatch"),
    ],
    ids=["zero-quantity", "negative-quantity", "zero-price", "negative-price", "other-price"],
)
def test_add_item_refuses(overrides: dict, code: str) -> None:
    assert refused(decide(order_in(DRAFT), build_unchecked(AddItem, **overrides))).code == code


def test_add_item_of_a_present_product_merges_quantities() -> None:
    merged = run_order(order_in(DRAFT), _more_of_first_line(3))
    assert [(item.product_id, item.quantity) for item in merged.items] == [(FIRST_LINE.product_id, 5)]


def _more_of_first_line(quantity: int) -> AddItem:
    return build(AddItem, product_id=FIRST_LINE.product_id, quantity=quantity, unit_price=FIRST_LINE.unit_price)


def test_a_merged_line_may_reach_the_quantity_limit() -> None:
    full = run_order(order_in(DRAFT), _more_of_first_line(MAX_LINE_QUANTITY - FIRST_LINE.quantity))
    assert [item.quantity for item in full.items] == [MAX_LINE_QUANTITY]


def test_a_merged_line_may_not_exceed_the_quantity_limit() -> None:
    over = _more_of_first_line(MAX_LINE_QUANTITY - FIRST_LINE.quantity + 1)
    assert refused(decide(order_in(DRAFT), over)).code == "invalid_quantity"


def test_an_order_total_stays_within_the_money_limit() -> None:
    room = MAX_ORDER_TOTAL - FIRST_LINE.unit_price * FIRST_LINE.quantity
    full = run_order(order_in(DRAFT), build(AddItem, unit_price=room), build(SubmitOrder))
    assert full.total_amount == MAX_ORDER_TOTAL
    over = build(AddItem, unit_price=room + Decimal("0.01"))
    assert refused(decide(order_in(DRAFT), over)).code == "total_too_large"


def test_remove_item_refuses_an_absent_product() -> None:
    assert refused(decide(order_in(DRAFT), build(RemoveItem, product_id="P-404"))).code == "item_not_found"


def test_submit_refuses_an_empty_order() -> None:
    emptied = run_order(order_in(DRAFT), build(RemoveItem))
    assert refused(decide(emptied, build(SubmitOrder))).code == "empty_order"


def test_submit_carries_the_items_and_total() -> None:
    draft = order_in(DRAFT, FIRST_LINE, line("P-2", quantity=1, unit_price="0.05"))
    assert accepted(decide(draft, build(SubmitOrder))) == [
        OrderSubmitted(items=list(draft.items), total_amount=Decimal("20.03"))
    ]


@pytest.mark.parametrize("status", [SUBMITTED, CONFIRMED])
def test_payments_move_from_unpaid_to_partially_paid_to_paid(status: OrderStatus) -> None:
    unpaid = order_in(status)
    first = accepted(decide(unpaid, build(RecordPayment, amount=Decimal("10.00"))))
    partly = run_order(unpaid, build(RecordPayment, amount=Decimal("10.00")))
    rest = accepted(decide(partly, build(RecordPayment, amount=Decimal("9.98"))))
    paid = run_order(partly, build(RecordPayment, amount=Decimal("9.98")))
    assert [unpaid.payment_status, partly.payment_status, paid.payment_status] == list(PaymentStatus)
    assert [(e.amount_paid, e.payment_status) for e in (*first, *rest)] == [
        (Decimal("10.00"), "partially_paid"), (Decimal("19.98"), "paid"),
    ]
    assert (paid.amount_paid, paid.status) == (Decimal("19.98"), status)


@pytest.mark.parametrize(
    ("paid_before", "amount"),
    [((), "19.99"), (("10.00",), "9.99"), (("10.00", "9.98"), "0.01")],
    ids=["in-one-go", "after-a-part", "when-paid"],
)
def test_overpayment_is_refused(paid_before: tuple[str, ...], amount: str) -> None:
    state = run_order(order_in(SUBMITTED), *(build(RecordPayment, amount=Decimal(paid)) for paid in paid_before))
    assert refused(decide(state, build(RecordPayment, amount=Decimal(amount)))).code == "overpayment"


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00")])
def test_payment_amount_must_be_positive(amount: Decimal) -> None:
    assert refused(decide(order_in(SUBMITTED), build_unchecked(RecordPayment, amount=amount))).code == "invalid_amount"


@pytest.mark.parametrize("blank", ["carrier", "tracking_number"])
def test_ship_requires_carrier_and_tracking_number(blank: str) -> None:
    command = build(ShipOrder, **{blank: " "})
    assert refused(decide(order_in(CONFIRMED), command)).code == "shipping_details_required"


@pytest.mark.parametrize("status", [DRAFT, SUBMITTED, CONFIRMED])
def test_cancel_records_reason_and_previous_status(status: OrderStatus) -> None:
    assert accepted(decide(order_in(status), build(CancelOrder, reason="too late"))) == [
        OrderCancelled(reason="too late", previous_status=status.value)
    ]


def test_cancel_requires_a_reason() -> None:
    assert refused(decide(order_in(DRAFT), build(CancelOrder, reason="   "))).code == "reason_required"


@pytest.mark.parametrize(("command", "status", "code"), CELLS)
def test_decide_is_deterministic(command: type[Payload], status: OrderStatus, code: str | None) -> None:
    first, second = (decide(order_in(status), build(command)) for _ in range(2))
    assert _as_json(first) == _as_json(second)


def _as_json(decision: list[Payload] | Rejection) -> list[str]:
    payloads = decision if isinstance(decision, list) else [decision]
    return [payload.model_dump_json() for payload in payloads]


@pytest.mark.parametrize(
    ("expected", "actual", "code"),
    [(None, 3, None), (3, 3, None), (0, 0, None), (2, 3, "version_conflict"), (4, 3, "version_conflict")],
)
def test_check_expected_version(expected: int | None, actual: int, code: str | None) -> None:
    assert getattr(check_expected_version(expected, actual), "code", None) == code


def test_version_conflict_names_both_versions() -> None:
    rejection = check_expected_version(2, 5)
    assert rejection is not None and "2" in rejection.reason and "5" in rejection.reason
