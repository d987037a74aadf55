"""The stock aggregate, one per SKU: ``decide(state, command)`` and ``evolve(state, event)``, pure.

Orders are served first come, first served. A reservation sets aside what is available and backorders the rest;
stock that becomes available (received, adjusted up, released) fills backorders oldest first; stock taken away
below what is reserved is given back to backorder by the newest reservations first. So after every decision
available stock and backorders never coexist, and each open order holds what a first-come allocation gives it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial, singledispatch
from typing import TypeVar

from domain.rejections import Decision, reject, route_command
from schemas.envelope import Payload
from schemas.inventory import (
    AdjustStock, BackorderFilled, DeductStock, ReceiveStock, ReleaseStock, ReservationBackordered, ReservationReleased,
    ORDER_LINE_COMMANDS, ReserveStock, StockAdjusted, StockDeducted, StockLevels, StockReceived, StockReserved,
)
from schemas.outcomes import Rejection

V = TypeVar("V")

# How many closed orders a stock remembers to recognise their commands delivered again (see ``Stock``). The
# reservation agent drops order events it has handled already, so repeats only come from the short window between
# its sending and its bookkeeping after a crash; this covers that window many times over.
CLOSED_MEMORY = 1_000


@dataclass(frozen=True)
class Reservation:
    """What one open order holds of the SKU: ``reserved`` is set aside for it, ``backordered`` it still awaits.

    ``order_version`` is the version of the order event that reserved; ``sequence`` the stock version of the
    reservation, which orders the open orders by arrival.
    """

    reserved: int
    backordered: int
    order_version: int
    sequence: int


@dataclass(frozen=True)
class Stock:
    """The stock of one SKU; ``reserved`` and ``backordered`` are the sums over the open ``reservations``.

    ``closed`` maps the orders whose reservation was released or deducted to the order version that closed it, so
    that a reservation, release or deduction of a closed order delivered again changes nothing. It is bounded: it
    keeps the ``CLOSED_MEMORY`` most recently closed orders and forgets older ones, so a duplicate arriving after
    that many other orders closed would be taken as a new reservation.
    """

    sku: str
    product_name: str | None = None
    on_hand: int = 0
    reserved: int = 0
    backordered: int = 0
    reservations: Mapping[str, Reservation] = field(default_factory=dict)
    closed: Mapping[str, int] = field(default_factory=dict)
    version: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def levels(self) -> StockLevels:
        return StockLevels(
            on_hand=self.on_hand, reserved=self.reserved, available=self.available, backordered=self.backordered,
            open_orders=len(self.reservations),
        )


def decide(state: Stock | None, command: Payload) -> Decision:
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


@dataclass(frozen=True)
class _Draft:
    """The events decided so far and the stock they lead to."""

    state: Stock
    events: tuple[Payload, ...] = ()

    def then(self, event: Callable[..., Payload]) -> "_Draft":
        """Add ``event(levels=...)`` carrying the levels it leaves; ``evolve`` reads what an event moves, not levels."""
        after = evolve(self.state, event(levels=self.state.levels))
        return _Draft(after, (*self.events, event(levels=after.levels)))

    @property
    def decision(self) -> list[Payload]:
        return list(self.events)


def _receive_into(state: Stock | None, command: ReceiveStock) -> Decision:
    return _receive(command, state if state is not None else Stock(sku=command.sku))


@singledispatch
def _decide_existing(command: Payload, state: Stock) -> Decision:
    return reject("unknown_command", f"stock does not handle {type(command).__name__}")


@_decide_existing.register
def _receive(command: ReceiveStock, state: Stock) -> Decision:
    if command.quantity <= 0:
        return reject("invalid_quantity", "a receipt must bring at least 1 unit")
    received = _Draft(state).then(
        partial(StockReceived, quantity=command.quantity, product_name=command.product_name)
    )
    return _fill_backorders(received).decision


@_decide_existing.register
def _adjust(command: AdjustStock, state: Stock) -> Decision:
    refused = _refuse_adjustment(command, state)
    if refused:
        return refused
    on_hand = state.on_hand + command.quantity_delta
    adjusted = _take_back(_Draft(state), on_hand).then(
        partial(StockAdjusted, quantity_delta=command.quantity_delta, reason=command.reason)
    )
    return _fill_backorders(adjusted).decision


def _refuse_adjustment(command: AdjustStock, state: Stock) -> Rejection | None:
    if command.quantity_delta == 0:
        return reject("invalid_quantity", "an adjustment must change the quantity on hand")
    if not command.reason.strip():
        return reject("reason_required", "an adjustment needs a reason")
    if state.on_hand + command.quantity_delta < 0:
        return reject(
            "insufficient_stock",
            f"cannot take {-command.quantity_delta} units of {state.sku}: only {state.on_hand} are on hand",
        )
    return None


@_decide_existing.register
def _reserve(command: ReserveStock, state: Stock) -> Decision:
    if command.quantity <= 0:
        return reject("invalid_quantity", "a reservation must ask for at least 1 unit")
    if _reservation_seen(state, command.order_id, command.order_version):
        return []
    reserved = min(command.quantity, state.available)
    return _Draft(state).then(partial(
        StockReserved, order_id=command.order_id, order_version=command.order_version, requested=command.quantity,
        reserved=reserved, backordered=command.quantity - reserved, product_name=command.product_name,
    )).decision


def _reservation_seen(state: Stock, order_id: str, order_version: int) -> bool:
    """The order is open, or closed at or after ``order_version``: this reservation was delivered before."""
    return order_id in state.reservations or state.closed.get(order_id, 0) >= order_version


@_decide_existing.register
def _release(command: ReleaseStock, state: Stock) -> Decision:
    held = _closable(state, command.order_id, command.order_version)
    if held is None:
        return []
    released = _Draft(state).then(partial(
        ReservationReleased, order_id=command.order_id, order_version=command.order_version,
        reserved=held.reserved, backordered=held.backordered,
    ))
    return _fill_backorders(released).decision


@_decide_existing.register
def _deduct(command: DeductStock, state: Stock) -> Decision:
    held = _closable(state, command.order_id, command.order_version)
    if held is None:
        return []
    return _Draft(state).then(partial(
        StockDeducted, order_id=command.order_id, order_version=command.order_version,
        quantity=held.reserved, short=held.backordered,
    )).decision


def _closable(state: Stock, order_id: str, order_version: int) -> Reservation | None:
    """The open reservation a release or deduction closes; ``None`` when the order is not open (never reserved,
    or closed already) or was reserved after ``order_version`` (the command is older than the reservation)."""
    held = state.reservations.get(order_id)
    if held is None or held.order_version > order_version:
        return None
    return held


def _by_arrival(state: Stock) -> list[tuple[str, Reservation]]:
    return sorted(state.reservations.items(), key=lambda item: item[1].sequence)


def _fill_backorders(draft: _Draft) -> _Draft:
    """Available stock goes to the backordered orders, oldest first."""
    for order_id, held in _by_arrival(draft.state):
        draft = _move(draft, order_id, held, min(held.backordered, draft.state.available))
    return draft


def _take_back(draft: _Draft, on_hand: int) -> _Draft:
    """Before on-hand stock drops to ``on_hand``, the newest reservations give back what it no longer covers."""
    for order_id, held in reversed(_by_arrival(draft.state)):
        draft = _move(draft, order_id, held, -min(held.reserved, max(draft.state.reserved - on_hand, 0)))
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


def evolve(state: Stock | None, event: Payload, *, sku: str = "") -> Stock:
    """Apply one event and count it in ``version``. ``sku`` names a new stock (its first ``StockReceived``)."""
    if state is None:
        if not isinstance(event, StockReceived):
            raise ValueError(f"{type(event).__name__} applied to a stock that does not exist")
        state = Stock(sku=sku)
    return replace(_evolve_existing(event, state), version=state.version + 1)


@singledispatch
def _evolve_existing(event: Payload, state: Stock) -> Stock:
    raise ValueError(f"stock does not apply {type(event).__name__}")


@_evolve_existing.register
def _(event: StockReceived, state: Stock) -> Stock:
    return replace(state, on_hand=state.on_hand + event.quantity, product_name=event.product_name or state.product_name)


@_evolve_existing.register
def _(event: StockAdjusted, state: Stock) -> Stock:
    return replace(state, on_hand=state.on_hand + event.quantity_delta)


@_evolve_existing.register
def _(event: StockReserved, state: Stock) -> Stock:
    if event.order_id in state.reservations:
        raise ValueError(f"order {event.order_id} reserves {state.sku} twice")
    held = Reservation(
        reserved=event.reserved, backordered=event.backordered, order_version=event.order_version,
        sequence=state.version + 1,
    )
    return replace(
        state, reserved=state.reserved + event.reserved, backordered=state.backordered + event.backordered,
        reservations={**state.reservations, event.order_id: held}, closed=_without(state.closed, event.order_id),
        product_name=state.product_name or event.product_name,
    )


@_evolve_existing.register
def _(event: BackorderFilled, state: Stock) -> Stock:
    return _shift(state, event.order_id, event.quantity)


@_evolve_existing.register
def _(event: ReservationBackordered, state: Stock) -> Stock:
    return _shift(state, event.order_id, -event.quantity)


@_evolve_existing.register
def _(event: ReservationReleased, state: Stock) -> Stock:
    return _close(state, event.order_id, event.order_version, shipped=0)


@_evolve_existing.register
def _(event: StockDeducted, state: Stock) -> Stock:
    return _close(state, event.order_id, event.order_version, shipped=event.quantity)


def _held(state: Stock, order_id: str) -> Reservation:
    held = state.reservations.get(order_id)
    if held is None:
        raise ValueError(f"order {order_id} holds no reservation of {state.sku}")
    return held


def _shift(state: Stock, order_id: str, quantity: int) -> Stock:
    held = _held(state, order_id)
    moved = replace(held, reserved=held.reserved + quantity, backordered=held.backordered - quantity)
    return replace(
        state, reserved=state.reserved + quantity, backordered=state.backordered - quantity,
        reservations={**state.reservations, order_id: moved},
    )


def _close(state: Stock, order_id: str, order_version: int, *, shipped: int) -> Stock:
    held = _held(state, order_id)
    return replace(
        state, on_hand=state.on_hand - shipped, reserved=state.reserved - held.reserved,
        backordered=state.backordered - held.backordered, reservations=_without(state.reservations, order_id),
        closed=_remember(state.closed, order_id, order_version),
    )


def _without(entries: Mapping[str, V], key: str) -> Mapping[str, V]:
    if key not in entries:
        return entries
    return {name: value for name, value in entries.items() if name != key}


def _remember(closed: Mapping[str, int], order_id: str, order_version: int) -> dict[str, int]:
    """``closed`` with ``order_id`` (open until now, so not in it) as the most recent; the newest ``CLOSED_MEMORY``."""
    kept = list(closed.items())[max(len(closed) + 1 - CLOSED_MEMORY, 0):]
    return dict([*kept, (order_id, order_version)])
