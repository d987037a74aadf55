"""The order aggregate: ``decide(state, command)`` here, its state and ``evolve(state, event)`` in
``domain.order_state``; both pure."""

from decimal import Decimal
from functools import singledispatch

from domain.order_state import LineStock, Order, PaymentStatus, evolve
from domain.rejections import Decision, reject, route_command
from domain.statuses import HOLDING_STOCK, PAYABLE, SHIPPED_OR_LATER
from domain.values import changed
from schemas.envelope import Payload
from schemas.money import quantize
from schemas.orders import (
    MAX_LINES,
    AddItem,
    BackorderRecorded,
    CancelOrder,
    ConfirmOrder,
    CreateOrder,
    DeliverOrder,
    ItemAdded,
    ItemRemoved,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    OrderDelivered,
    OrderShipped,
    OrderStatus,
    OrderSubmitted,
    PaymentRecorded,
    RecordBackorder,
    RecordPayment,
    RemoveItem,
    ShipOrder,
    SubmitOrder,
)
from schemas.outcomes import Rejection

# The aggregate's public names, whichever module defines them.
__all__ = ["MAX_LINE_QUANTITY", "MAX_ORDER_TOTAL", "LineStock", "Order", "OrderStatus", "PaymentStatus", "decide", "evolve"]

# The bounds of ``LineItem.quantity`` and ``Money``: an event past them could not be folded or submitted.
MAX_LINE_QUANTITY = 1_000_000
MAX_ORDER_TOTAL = Decimal("999999999999.99")


def decide(state: Order | None, command: Payload) -> Decision:
    """Decide a command against the current state (``None``: the order does not exist)."""
    return route_command(
        state, command, creates=CreateOrder, create=_create, existing=_decide_existing, noun="order", id_field="order_id",
    )


def _create(state: Order | None, command: CreateOrder) -> Decision:
    if state is not None:
        return reject("already_exists", f"order {command.order_id} already exists")
    if not command.customer_id.strip():
        return reject("customer_required", "a customer id is required")
    created = OrderCreated(
        customer_id=command.customer_id, customer=command.customer, currency=command.currency,
        shipping_address=command.shipping_address, notes=command.notes, channel=command.channel,
    )
    draft = evolve(None, created, order_id=command.order_id)
    events: list[Payload] = [created]
    for line in command.items:
        decision = _add_item(AddItem(order_id=command.order_id, **line.model_dump()), draft)
        if isinstance(decision, Rejection):
            return decision
        events.extend(decision)
        draft = evolve(draft, decision[0])
    return events


@singledispatch
def _decide_existing(command: Payload, state: Order) -> Decision:
    return reject("unknown_command", f"orders do not handle {type(command).__name__}")


def _require_status(state: Order, allowed: tuple[OrderStatus, ...], code: str, action: str) -> Rejection | None:
    if state.status in allowed:
        return None
    names = ", ".join(status.value for status in allowed)
    return reject(code, f"cannot {action} an order that is {state.status.value}; it must be {names}")


@_decide_existing.register
def _add_item(command: AddItem, state: Order) -> Decision:
    refused = _require_status(state, (OrderStatus.DRAFT,), "not_draft", "add items to")
    if refused:
        return refused
    if command.quantity <= 0:
        return reject("invalid_quantity", "quantity must be greater than 0")
    if command.unit_price <= 0:
        return reject("invalid_price", "unit price must be greater than 0")
    present = state.item(command.product_id)
    if present is not None and present.unit_price != command.unit_price:
        return reject(
            "price_mismatch",
            f"product {command.product_id} is already in the order at {present.unit_price}; "
            "remove it first to change its price",
        )
    if present is None and len(state.items) >= MAX_LINES:
        return reject("too_many_items", f"an order cannot have more than {MAX_LINES} lines")
    if command.quantity + (present.quantity if present else 0) > MAX_LINE_QUANTITY:
        return reject("invalid_quantity", f"a line cannot hold more than {MAX_LINE_QUANTITY} units")
    if state.total_amount + command.unit_price * command.quantity > MAX_ORDER_TOTAL:
        return reject("total_too_large", f"an order total cannot exceed {MAX_ORDER_TOTAL}")
    return [ItemAdded(
        product_id=command.product_id, product_name=command.product_name,
        quantity=command.quantity, unit_price=command.unit_price,
    )]


@_decide_existing.register
def _remove_item(command: RemoveItem, state: Order) -> Decision:
    refused = _require_status(state, (OrderStatus.DRAFT,), "not_draft", "remove items from")
    if refused:
        return refused
    if state.item(command.product_id) is None:
        return reject("item_not_found", f"product {command.product_id} is not in the order")
    return [ItemRemoved(product_id=command.product_id)]


@_decide_existing.register
def _submit(command: SubmitOrder, state: Order) -> Decision:
    refused = _require_status(state, (OrderStatus.DRAFT,), "not_draft", "submit")
    if refused:
        return refused
    if not state.items:
        return reject("empty_order", "an order needs at least one item to be submitted")
    return [OrderSubmitted(items=list(state.items), total_amount=state.total_amount)]


@_decide_existing.register
def _record_payment(command: RecordPayment, state: Order) -> Decision:
    refused = _require_status(state, PAYABLE, "payment_not_allowed", "record a payment for")
    if refused:
        return refused
    if command.amount <= 0:
        return reject("invalid_amount", "a payment amount must be greater than 0")
    amount_paid = quantize(state.amount_paid + command.amount)
    if amount_paid > state.total_amount:
        outstanding = quantize(state.total_amount - state.amount_paid)
        return reject("overpayment", f"the payment exceeds the outstanding amount of {outstanding}")
    paid = changed(state, amount_paid=amount_paid)
    return [PaymentRecorded(
        amount=command.amount, method=command.method, reference=command.reference,
        amount_paid=amount_paid, payment_status=paid.payment_status.value,
    )]


@_decide_existing.register
def _confirm(command: ConfirmOrder, state: Order) -> Decision:
    return _require_status(state, (OrderStatus.SUBMITTED,), "not_submitted", "confirm") or [OrderConfirmed()]


@_decide_existing.register
def _ship(command: ShipOrder, state: Order) -> Decision:
    refused = _require_status(state, (OrderStatus.CONFIRMED,), "not_confirmed", "ship")
    if refused:
        return refused
    if not command.carrier.strip() or not command.tracking_number.strip():
        return reject("shipping_details_required", "a carrier and a tracking number are required")
    return [OrderShipped(carrier=command.carrier, tracking_number=command.tracking_number)]


@_decide_existing.register
def _deliver(command: DeliverOrder, state: Order) -> Decision:
    return _require_status(state, (OrderStatus.SHIPPED,), "not_shipped", "deliver") or [OrderDelivered()]


@_decide_existing.register
def _cancel(command: CancelOrder, state: Order) -> Decision:
    if state.status is OrderStatus.CANCELLED:
        return reject("already_cancelled", "the order is already cancelled")
    if state.status in SHIPPED_OR_LATER:
        return reject("already_shipped", f"cannot cancel an order that is {state.status.value}")
    if not command.reason.strip():
        return reject("reason_required", "a cancellation needs a reason")
    return [OrderCancelled(reason=command.reason, previous_status=state.status.value)]


@_decide_existing.register
def _record_backorder(command: RecordBackorder, state: Order) -> Decision:
    """Record what the stock says of a line while the order holds stock; anything else changes nothing: a line
    reserved in full at once, news older than what is recorded, or an order no longer holding stock."""
    if state.status not in HOLDING_STOCK or state.item(command.product_id) is None:
        return []
    recorded = state.line_stock.get(command.product_id)
    if recorded is None and command.backordered == 0:
        return []
    if recorded is not None and (recorded.stock_version >= command.stock_version
                                 or (recorded.reserved, recorded.backordered) == (command.reserved, command.backordered)):
        return []
    return [BackorderRecorded(
        product_id=command.product_id, reserved=command.reserved, backordered=command.backordered,
        stock_version=command.stock_version,
    )]
