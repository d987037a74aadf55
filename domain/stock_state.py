"""How the stock of one SKU is stored: one small stock entry and one entry per order, so no value grows with the
number of orders and a rule reads and writes only the entries it changes.

Keys and values (compact JSON):

- ``sku``: the ``StockEntry``, an object with the totals, the version and three pointers into the open
  reservations ordered by arrival: the ``oldest``, the ``newest`` and the ``oldest_backordered`` one.
- ``f"{sku}/{order_id}"`` while the order is open: its ``Reservation``, an array of its fields in order; ``older``
  and ``newer`` are the reservations that arrived just before and just after it (a doubly linked list).
- the same key once the order is closed: ``{"closed": order_version}``, the ``Closed`` tombstone, kept for good so
  that the order's commands delivered again are recognised however long ago it closed.

A tracked SKU and an order id never contain '/', so these keys never meet.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.values import changed
from schemas.inventory import StockLevels

Read = Callable[[str], bytes | None]


@dataclass(frozen=True)
class StockEntry:
    """The stock entry: the sums over the open reservations (``reserved``, ``backordered``, ``open_orders``) and
    the order ids at the ends of the list by arrival, and of its first backordered order (``None``: none)."""

    product_name: str | None = None
    on_hand: int = 0
    reserved: int = 0
    backordered: int = 0
    open_orders: int = 0
    version: int = 0
    oldest: str | None = None
    newest: str | None = None
    oldest_backordered: str | None = None


@dataclass(frozen=True)
class Reservation:
    """What one open order holds of the SKU: ``reserved`` is set aside for it, ``backordered`` it still awaits.

    ``order_version`` is the version of the order event that reserved; ``sequence`` the stock version of the
    reservation; ``older`` and ``newer`` its neighbours by arrival.
    """

    reserved: int
    backordered: int
    order_version: int
    sequence: int
    older: str | None = None
    newer: str | None = None


@dataclass(frozen=True)
class Closed:
    """A closed order's tombstone: the version of the order event that released or deducted its reservation."""

    order_version: int


OrderEntry = Reservation | Closed


def stock_key(sku: str) -> str:
    return sku


def order_key(sku: str, order_id: str) -> str:
    return f"{sku}/{order_id}"


def _to_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def encode_order_entry(entry: OrderEntry) -> bytes:
    if isinstance(entry, Closed):
        return _to_bytes({"closed": entry.order_version})
    return _to_bytes(list(vars(entry).values()))


def decode_order_entry(stored: bytes) -> OrderEntry:
    raw = json.loads(stored)
    if isinstance(raw, dict):
        return Closed(raw["closed"])
    return Reservation(*raw)


class _StoredOrders:
    """The order entries of one SKU as the store held them when the state was loaded or settled, each read and
    parsed at most once. ``read`` is ``None`` for a stock created in memory: the store held none of its entries then,
    so every entry it has written since is kept here instead of being read back."""

    def __init__(self, sku: str, read: Read | None, known: dict[str, OrderEntry | None]) -> None:
        self._sku = sku
        self._read = read
        self._known = known

    def get(self, order_id: str) -> OrderEntry | None:
        if order_id not in self._known:
            self._known[order_id] = self._read_entry(order_id)
        return self._known[order_id]

    def _read_entry(self, order_id: str) -> OrderEntry | None:
        stored = self._read(order_key(self._sku, order_id)) if self._read is not None else None
        return decode_order_entry(stored) if stored is not None else None

    def after(self, written: Mapping[str, OrderEntry]) -> "_StoredOrders":
        """The entries once ``written`` is stored: read through the store again, or kept in memory if none."""
        if self._read is None:
            return _StoredOrders(self._sku, None, {**self._known, **written})
        return _StoredOrders(self._sku, self._read, dict(written))


@dataclass(frozen=True)
class StockState:
    """The stock of one SKU: its stock ``entry``, the order entries ``changed`` since it was loaded or settled
    (by order id), and the store the other order entries are read from when a rule asks for them.

    A value: changing it makes a new state that shares what did not change. Its reads expect the SKU's entries in
    the store to change only by the writes of its own settled successors; once those are stored, go on from the
    settled state rather than from this one.
    """

    sku: str
    entry: StockEntry
    changed: Mapping[str, OrderEntry]
    stored: _StoredOrders = field(compare=False, repr=False)

    @property
    def version(self) -> int:
        return self.entry.version

    @property
    def available(self) -> int:
        return self.entry.on_hand - self.entry.reserved

    @property
    def levels(self) -> StockLevels:
        entry = self.entry
        return StockLevels(
            on_hand=entry.on_hand, reserved=entry.reserved, available=self.available, backordered=entry.backordered,
            open_orders=entry.open_orders,
        )

    def order(self, order_id: str) -> OrderEntry | None:
        """The order's entry: its open reservation, its tombstone, or ``None`` if it never reserved this SKU."""
        if order_id in self.changed:
            return self.changed[order_id]
        return self.stored.get(order_id)

    def reservation(self, order_id: str) -> Reservation:
        held = self.order(order_id)
        if not isinstance(held, Reservation):
            raise ValueError(f"order {order_id} holds no reservation of {self.sku}")
        return held

    def with_entry(self, **changes: Any) -> "StockState":
        return StockState(self.sku, changed(self.entry, **changes), self.changed, self.stored)

    def with_order(self, order_id: str, entry: OrderEntry) -> "StockState":
        return StockState(self.sku, self.entry, {**self.changed, order_id: entry}, self.stored)


def new_stock(sku: str) -> StockState:
    """An empty stock of ``sku``, not stored anywhere yet."""
    return StockState(sku, StockEntry(), {}, _StoredOrders(sku, None, {}))


def load_stock(sku: str, read: Read) -> StockState | None:
    """The stock of ``sku`` from a store, ``None`` if it has none; ``read(key)`` gives a key's bytes or ``None``.
    Only the stock entry is read now; order entries are read when a rule needs them."""
    if "/" in sku:
        # Not a SKU that could be tracked; its key could name another SKU's order entry.
        return None
    stored = read(stock_key(sku))
    if stored is None:
        return None
    return StockState(sku, StockEntry(**json.loads(stored)), {}, _StoredOrders(sku, read, {}))


def stock_writes(state: StockState) -> tuple[dict[str, bytes], StockState]:
    """The entries to store for ``state`` (its stock entry and every order entry changed since it was loaded or
    settled), and the same state settled: nothing left to write; it keeps the entries just written and reads the
    others through the same ``read``."""
    writes = {stock_key(state.sku): _to_bytes(vars(state.entry))}
    for order_id, entry in state.changed.items():
        writes[order_key(state.sku, order_id)] = encode_order_entry(entry)
    return writes, StockState(state.sku, state.entry, {}, state.stored.after(state.changed))


def appended(state: StockState, order_id: str, reservation: Reservation) -> StockState:
    """``state`` with ``reservation`` (its links are set here) arrived after every other."""
    newest = state.entry.newest
    state = _point_newer(state, newest, order_id)
    return state.with_order(order_id, changed(reservation, older=newest, newer=None)).with_entry(newest=order_id)


def unlinked(state: StockState, order_id: str, tombstone: Closed) -> StockState:
    """``state`` with the reservation of ``order_id`` out of the list and ``tombstone`` in its place."""
    held = state.reservation(order_id)
    state = _point_newer(state, held.older, held.newer)
    state = _point_older(state, held.newer, held.older)
    if state.entry.oldest_backordered == order_id:
        state = state.with_entry(oldest_backordered=held.newer)
    return state.with_order(order_id, tombstone)


def _point_newer(state: StockState, order_id: str | None, newer: str | None) -> StockState:
    """The reservation after ``order_id`` is ``newer``; with no ``order_id``, ``newer`` is the oldest."""
    if order_id is None:
        return state.with_entry(oldest=newer)
    return state.with_order(order_id, changed(state.reservation(order_id), newer=newer))


def _point_older(state: StockState, order_id: str | None, older: str | None) -> StockState:
    """The reservation before ``order_id`` is ``older``; with no ``order_id``, ``older`` is the newest."""
    if order_id is None:
        return state.with_entry(newest=older)
    return state.with_order(order_id, changed(state.reservation(order_id), older=older))
