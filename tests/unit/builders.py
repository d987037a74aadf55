"""Commands with valid defaults, and aggregates brought to a state by deciding real commands."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from domain import customer, order
from domain.customer import Customer
from domain.order import Order, OrderStatus
from schemas.customers import RegisterCustomer, UpdateCustomer
from schemas.envelope import Payload
from schemas.orders import (
    AddItem,
    CancelOrder,
    ConfirmOrder,
    CreateOrder,
    DeliverOrder,
    LineItem,
    RecordPayment,
    RemoveItem,
    ShipOrder,
    SubmitOrder,
)
from schemas.outcomes import Rejection

M = TypeVar("M", bound=Payload)
S = TypeVar("S")

ORDER_ID = "ORD-1"
CUSTOMER_ID = "CUST-1"


def line(product_id: str = "P-1", quantity: int = 2, unit_price: str = "9.99") -> LineItem:
    return LineItem(
        product_id=product_id, product_name=f"product {product_id}", quantity=quantity, unit_price=unit_price
    )


FIRST_LINE = line()
_ORDER = {"order_id": ORDER_ID}
DEFAULTS: dict[type[Payload], dict[str, Any]] = {
    CreateOrder: {**_ORDER, "customer_id": CUSTOMER_ID, "items": [FIRST_LINE]},
    AddItem: {
        **_ORDER, "product_id": "P-2", "product_name": "product P-2", "quantity": 1, "unit_price": Decimal("5.00"),
    },
    RemoveItem: {**_ORDER, "product_id": FIRST_LINE.product_id},
    SubmitOrder: _ORDER,
    RecordPayment: {**_ORDER, "amount": Decimal("1.00"), "method": "card", "reference": "PAY-1"},
    ConfirmOrder: _ORDER,
    ShipOrder: {**_ORDER, "carrier": "DHL", "tracking_number": "TRK-1"},
    DeliverOrder: _ORDER,
    CancelOrder: {**_ORDER, "reason": "changed my mind"},
    RegisterCustomer: {"customer_id": CUSTOMER_ID, "name": "Ada Lovelace", "email": "ada@example.com"},
    UpdateCustomer: {"customer_id": CUSTOMER_ID},
}


def build(model: type[M], **overrides: Any) -> M:
    return model(**{**DEFAULTS[model], **overrides})


def build_unchecked(model: type[M], **overrides: Any) -> M:
    """Skips pydantic validation, to reach the domain's own checks."""
    return model.model_construct(**{**DEFAULTS[model], **overrides})


def accepted(decision: list[Payload] | Rejection) -> list[Payload]:
    assert not isinstance(decision, Rejection), decision
    return decision


def refused(decision: list[Payload] | Rejection) -> Rejection:
    assert isinstance(decision, Rejection), decision
    return decision


def event_types(decision: list[Payload] | Rejection) -> list[type[Payload]]:
    return [type(event) for event in accepted(decision)]


def _run(
    decide: Callable[[S | None, Payload], list[Payload] | Rejection],
    evolve: Callable[[S | None, Payload], S],
    state: S | None,
    commands: tuple[Payload, ...],
) -> S:
    for command in commands:
        for event in accepted(decide(state, command)):
            state = evolve(state, event)
    assert state is not None
    return state


def run_order(state: Order | None, *commands: Payload) -> Order:
    return _run(order.decide, lambda s, e: order.evolve(s, e, order_id=ORDER_ID), state, commands)


def run_customer(state: Customer | None, *commands: Payload) -> Customer:
    return _run(customer.decide, lambda s, e: customer.evolve(s, e, customer_id=CUSTOMER_ID), state, commands)


_PATHS: dict[OrderStatus, tuple[type[Payload], ...]] = {
    OrderStatus.DRAFT: (),
    OrderStatus.SUBMITTED: (SubmitOrder,),
    OrderStatus.CONFIRMED: (SubmitOrder, ConfirmOrder),
    OrderStatus.SHIPPED: (SubmitOrder, ConfirmOrder, ShipOrder),
    OrderStatus.DELIVERED: (SubmitOrder, ConfirmOrder, ShipOrder, DeliverOrder),
    OrderStatus.CANCELLED: (SubmitOrder, CancelOrder),
}


def order_in(status: OrderStatus, *items: LineItem) -> Order:
    """An order holding ``items`` (default: ``FIRST_LINE``) brought to ``status`` through its commands."""
    created = build(CreateOrder, items=list(items or (FIRST_LINE,)))
    placed = run_order(None, created, *(build(model) for model in _PATHS[status]))
    assert placed.status is status
    return placed


def registered_customer() -> Customer:
    return run_customer(None, build(RegisterCustomer))
