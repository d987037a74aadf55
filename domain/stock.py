"""The stock aggregate, one per SKU: ``decide(state, command)`` here and ``evolve(state, event)`` in
``domain.stock_evolve``, pure.

Orders are served first come, first served. A reservation sets aside what is available and backorders the rest;
stock that becomes available (received, adjusted up, released) fills backorders oldest first; stock taken away
below what is reserved is given back to backorder by the newest reservations first. So after every decision
available stock and backorders never coexist, and each open order holds what a first-come allocation gives it:
by arrival, the open orders are fully reserved, then at most one is partly reserved, then the rest wait in full.
That shape lets the rules start from the stock entry's ``oldest_backordered`` order and walk only the reservations
they change (see ``domain.stock_state`` for how the state is stored).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, singledispatch

from domain.rejections import Decision, Evolved, reject, route_command
from domain.stock_evolve import evolve
from domain.stock_state import (
    Closed,
    Reservation,
    StockState,
    load_stock,
    new_stock,
    stock_writes,
)
from schemas.envelope import Payload
from schemas.inventory import (
    ORDER_LINE_COMMANDS,
    AdjustStock,
    BackorderFilled,
    DeductStock,
    ReceiveStock,
    ReleaseStock,
    ReservationBackordered,
    ReservationReleased,
    ReserveStock,
    StockAdjusted,
    StockDeducted,
    StockLevels,
    StockReceived,
    StockReserved,
)
from schemas.outcomes import Rejection

__all__ = ["ORDER_LINE_COMMANDS", "StockState", "decide", "evolve", "load_stock", "stock_writes"]


def decide(state: StockState | None, command: Payload) -> Decision:
    """Decide a command against the current state (``None``: no stock of this SKU yet).

    A SKU is tracked from its first receipt. Before that a reservation is refused as ``not_tracked`` (the inventory
    does not manage that product, so it neither reserves nor backorders it) and a release or deduction changes
    nothing. Adjusting an untracked SKU is refused as not found.
    """
    if state is None and isinstance(command, ORDER_LINE_COMMANDS):
        return _untracked(command)
    return route_command(
        state, command, creates=ReceiveStock, create=_receive_into, existing=_decide_existing, noun="SKU",
        id_field="sku",
    )


def _untracked(command: Payload) -> Decision:
    if isinstance(command, ReserveStock):
        return reject("not_tracked", f"SKU {command.sku} is not tracked: it has never been received")
    return []


# What an event carries while it is evolved: ``evolve`` reads what an event moves, never its levels.
_UNSET_LEVELS = StockLevels(on_hand=0, reserved=0, available=0, backordered=0, open_orders=0)


@dataclass(frozen=True)
class _Draft:
    """The events decided so far from the stock ``start``, the stock after each, and the stock they lead to."""

    start: StockState
    state: StockState
    events: tuple[Payload, ...] = ()
    states: tuple[StockState, ...] = ()

    @classmethod
    def of(cls, state: StockState) -> "_Draft":
        return cls(state, state)

    def then(self, event: Callable[..., Payload]) -> "_Draft":
        """Add ``event(levels=...)`` carrying the levels it leaves."""
        after = evolve(self.state, event(levels=_UNSET_LEVELS))
        return _Draft(self.start, after, (*self.events, event(levels=after.levels)), (*self.states, after))

    @property
    def decision(self) -> Evolved[StockState]:
        return Evolved(self.events, self.start, self.states)


def _receive_into(state: StockState | None, command: ReceiveStock) -> Decision:
    return _receive(command, state if state is not None else new_stock(command.sku))


@singledispatch
def _decide_existing(command: Payload, state: StockState) -> Decision:
    return reject("unknown_command", f"stock does not handle {type(command).__name__}")


@_decide_existing.register
def _receive(command: ReceiveStock, state: StockState) -> Decision:
    if command.quantity <= 0:
        return reject("invalid_quantity", "a receipt must bring at least 1 unit")
    received = _Draft.of(state).then(
        partial(StockReceived, quantity=command.quantity, product_name=command.product_name)
    )
    return _fill_backorders(received).decision


@_decide_existing.register
def _adjust(command: AdjustStock, state: StockState) -> Decision:
    refused = _refuse_adjustment(command, state)
    if refused:
        return refused
    on_hand = state.entry.on_hand + command.quantity_delta
    adjusted = _take_back(_Draft.of(state), on_hand).then(
        partial(StockAdjusted, quantity_delta=command.quantity_delta, reason=command.reason)
    )
    return _fill_backorders(adjusted).decision


def _refuse_adjustment(command: AdjustStock, state: StockState) -> Rejection | None:
    if command.quantity_delta == 0:
        return reject("invalid_quantity", "an adjustment must change the quantity on hand")
    if not command.reason.strip():
        return reject("reason_required", "an adjustment needs a reason")
    if state.entry.on_hand + command.quantity_delta < 0:
        return reject(
            "insufficient_stock",
            f"cannot take {-command.quantity_delta} units of {state.sku}: only {state.entry.on_hand} are on hand",
        )
    return None


@_decide_existing.register
def _reserve(command: ReserveStock, state: StockState) -> Decision:
    if command.quantity <= 0:
        return reject("invalid_quantity", "a reservation must ask for at least 1 unit")
    if _reservation_seen(state, command.order_id, command.order_version):
        return []
    reserved = min(command.quantity, state.available)
    return _Draft.of(state).then(partial(
        StockReserved, order_id=command.order_id, order_version=command.order_version, requested=command.quantity,
        reserved=reserved, backordered=command.quantity - reserved, product_name=command.product_name,
    )).decision


def _reservation_seen(state: StockState, order_id: str, order_version: int) -> bool:
    """The order is open, or closed at or after ``order_version``: this reservation was delivered before."""
    held = state.order(order_id)
    return isinstance(held, Reservation) or (isinstance(held, Closed) and held.order_version >= order_version)


@_decide_existing.register
def _release(command: ReleaseStock, state: StockState) -> Decision:
    held = _closable(state, command.order_id, command.order_version)
    if held is None:
        return []
    released = _Draft.of(state).then(partial(
        ReservationReleased, order_id=command.order_id, order_version=command.order_version,
        reserved=held.reserved, backordered=held.backordered,
    ))
    return _fill_backorders(released).decision


@_decide_existing.register
def _deduct(command: DeductStock, state: StockState) -> Decision:
    held = _closable(state, command.order_id, command.order_version)
    if held is None:
        return []
    return _Draft.of(state).then(partial(
        StockDeducted, order_id=command.order_id, order_version=command.order_version,
        quantity=held.reserved, short=held.backordered,
    )).decision


def _closable(state: StockState, order_id: str, order_version: int) -> Reservation | None:
    """The open reservation a release or deduction closes; ``None`` when the order is not open (never reserved,
    or closed already) or was reserved after ``order_version`` (the command is older than the reservation)."""
    held = state.order(order_id)
    if not isinstance(held, Reservation) or held.order_version > order_version:
        return None
    return held


def _fill_backorders(draft: _Draft) -> _Draft:
    """Available stock goes to the backordered orders, oldest first."""
    order_id = draft.state.entry.oldest_backordered
    while order_id is not None and draft.state.available > 0:
        held = draft.state.reservation(order_id)
        draft = _move(draft, order_id, held, min(held.backordered, draft.state.available))
        order_id = held.newer
    return draft


def _take_back(draft: _Draft, on_hand: int) -> _Draft:
    """Before on-hand stock drops to ``on_hand``, the newest reservations give back what it no longer covers.

    The orders after the oldest backordered one hold nothing, so the walk starts there."""
    order_id = draft.state.entry.oldest_backordered or draft.state.entry.newest
    while order_id is not None and draft.state.entry.reserved > on_hand:
        held = draft.state.reservation(order_id)
        draft = _move(draft, order_id, held, -min(held.reserved, draft.state.entry.reserved - on_hand))
        order_id = held.older
    return draft


def _move(draft: _Draft, order_id: str, held: Reservation, quantity: int) -> _Draft:
    """Move ``quantity`` of an order from backordered to reserved (negative: from reserved to backordered)."""
    if quantity == 0:
        return draft
    event = BackorderFilled if quantity > 0 else ReservationBackordered
    return draft.then(partial(
        event, order_id=order_id, quantity=abs(quantity),
        reserved=held.reserved + quantity, backordered=held.backordered - quantity,
    ))
