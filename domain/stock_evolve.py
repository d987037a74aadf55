"""The stock aggregate's ``evolve(state, event)``, pure: what each event changes in a SKU's stock entry and its
reservations (the rules that choose the events are in ``domain.stock``)."""

from functools import singledispatch

from domain.stock_state import Closed, Reservation, StockState, appended, new_stock, unlinked
from domain.values import changed
from schemas.envelope import Payload
from schemas.inventory import (
    BackorderFilled,
    ReservationBackordered,
    ReservationReleased,
    StockAdjusted,
    StockDeducted,
    StockReceived,
    StockReserved,
)


def evolve(state: StockState | None, event: Payload, *, sku: str = "") -> StockState:
    """Apply one event and count it in ``version``. ``sku`` names a new stock (its first ``StockReceived``)."""
    if state is None:
        if not isinstance(event, StockReceived):
            raise ValueError(f"{type(event).__name__} applied to a stock that does not exist")
        state = new_stock(sku)
    return _evolve_existing(event, state).with_entry(version=state.version + 1)


@singledispatch
def _evolve_existing(event: Payload, state: StockState) -> StockState:
    raise ValueError(f"stock does not apply {type(event).__name__}")


@_evolve_existing.register
def _(event: StockReceived, state: StockState) -> StockState:
    entry = state.entry
    return state.with_entry(
        on_hand=entry.on_hand + event.quantity, product_name=event.product_name or entry.product_name
    )


@_evolve_existing.register
def _(event: StockAdjusted, state: StockState) -> StockState:
    return state.with_entry(on_hand=state.entry.on_hand + event.quantity_delta)


@_evolve_existing.register
def _(event: StockReserved, state: StockState) -> StockState:
    if isinstance(state.order(event.order_id), Reservation):
        raise ValueError(f"order {event.order_id} reserves {state.sku} twice")
    held = Reservation(
        reserved=event.reserved, backordered=event.backordered, order_version=event.order_version,
        sequence=state.version + 1,
    )
    entry = state.entry
    waiting = event.order_id if event.backordered > 0 else None
    return appended(state, event.order_id, held).with_entry(
        reserved=entry.reserved + event.reserved, backordered=entry.backordered + event.backordered,
        open_orders=entry.open_orders + 1, oldest_backordered=entry.oldest_backordered or waiting,
        product_name=entry.product_name or event.product_name,
    )


@_evolve_existing.register
def _(event: BackorderFilled, state: StockState) -> StockState:
    return _shift(state, event.order_id, event.quantity)


@_evolve_existing.register
def _(event: ReservationBackordered, state: StockState) -> StockState:
    return _shift(state, event.order_id, -event.quantity)


@_evolve_existing.register
def _(event: ReservationReleased, state: StockState) -> StockState:
    return _close(state, event.order_id, event.order_version, shipped=0)


@_evolve_existing.register
def _(event: StockDeducted, state: StockState) -> StockState:
    return _close(state, event.order_id, event.order_version, shipped=event.quantity)


def _shift(state: StockState, order_id: str, quantity: int) -> StockState:
    held = state.reservation(order_id)
    moved = changed(held, reserved=held.reserved + quantity, backordered=held.backordered - quantity)
    return state.with_order(order_id, moved).with_entry(
        reserved=state.entry.reserved + quantity, backordered=state.entry.backordered - quantity,
        oldest_backordered=_oldest_backordered_after(state, order_id, moved),
    )


def _oldest_backordered_after(state: StockState, order_id: str, moved: Reservation) -> str | None:
    """Backorders are filled from the oldest backordered order towards the newest, and reservations taken back
    from it towards the oldest: an order left waiting is the oldest backordered one; one filled in full hands that
    role to the next."""
    if moved.backordered > 0:
        return order_id
    if state.entry.oldest_backordered == order_id:
        return moved.newer
    return state.entry.oldest_backordered


def _close(state: StockState, order_id: str, order_version: int, *, shipped: int) -> StockState:
    held = state.reservation(order_id)
    entry = state.entry
    return unlinked(state, order_id, Closed(order_version)).with_entry(
        on_hand=entry.on_hand - shipped, reserved=entry.reserved - held.reserved,
        backordered=entry.backordered - held.backordered, open_orders=entry.open_orders - 1,
    )
