"""The stock rules as they were first written, kept as a reference for the aggregate: every open order in one dict
in order of arrival, every closed order remembered, and each rule walking all of them. Simple and slow on purpose."""

from dataclasses import dataclass, field
from typing import Any

from schemas.envelope import Payload
from schemas.inventory import (
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


@dataclass
class Held:
    reserved: int
    backordered: int
    order_version: int


@dataclass
class ReferenceStock:
    tracked: bool = False
    on_hand: int = 0
    held: dict[str, Held] = field(default_factory=dict)  # in order of arrival
    closed: dict[str, int] = field(default_factory=dict)  # order id -> the order version that closed it
    events: list[Payload] = field(default_factory=list)

    @property
    def reserved(self) -> int:
        return sum(held.reserved for held in self.held.values())

    @property
    def levels(self) -> StockLevels:
        return StockLevels(
            on_hand=self.on_hand, reserved=self.reserved, available=self.on_hand - self.reserved,
            backordered=sum(held.backordered for held in self.held.values()), open_orders=len(self.held),
        )

    def holdings(self) -> dict[str, tuple[int, int]]:
        return {order_id: (held.reserved, held.backordered) for order_id, held in self.held.items()}

    def decide(self, command: Payload) -> list[Payload] | str:
        """Apply ``command``: the events it leads to, or the code it is refused with (and nothing changes)."""
        self.events = []
        refused = self._apply(command)
        return refused if refused is not None else self.events

    def _emit(self, model: type[Payload], **fields: Any) -> None:
        """Record an event carrying the levels after it; the change it describes is made before."""
        self.events.append(model(**fields, levels=self.levels))

    def _apply(self, command: Payload) -> str | None:
        match command:
            case ReceiveStock():
                self.tracked, self.on_hand = True, self.on_hand + command.quantity
                self._emit(StockReceived, quantity=command.quantity, product_name=command.product_name)
                self._fill()
            case AdjustStock():
                return self._adjust(command)
            case ReserveStock():
                return self._reserve(command)
            case ReleaseStock() | DeductStock() if self.tracked:
                self._close(command)
        return None

    def _adjust(self, command: AdjustStock) -> str | None:
        if not self.tracked:
            return "not_found"
        if self.on_hand + command.quantity_delta < 0:
            return "insufficient_stock"
        self._take_back(self.on_hand + command.quantity_delta)
        self.on_hand += command.quantity_delta
        self._emit(StockAdjusted, quantity_delta=command.quantity_delta, reason=command.reason)
        self._fill()
        return None

    def _reserve(self, command: ReserveStock) -> str | None:
        if not self.tracked:
            return "not_tracked"
        if command.order_id in self.held or self.closed.get(command.order_id, 0) >= command.order_version:
            return None
        reserved = min(command.quantity, self.on_hand - self.reserved)
        self.closed.pop(command.order_id, None)
        self.held[command.order_id] = Held(reserved, command.quantity - reserved, command.order_version)
        self._emit(
            StockReserved, order_id=command.order_id, order_version=command.order_version, requested=command.quantity,
            reserved=reserved, backordered=command.quantity - reserved, product_name=command.product_name,
        )
        return None

    def _close(self, command: ReleaseStock | DeductStock) -> None:
        held = self.held.get(command.order_id)
        if held is None or held.order_version > command.order_version:
            return
        del self.held[command.order_id]
        self.closed[command.order_id] = command.order_version
        fields = {"order_id": command.order_id, "order_version": command.order_version}
        if isinstance(command, DeductStock):
            self.on_hand -= held.reserved
            self._emit(StockDeducted, **fields, quantity=held.reserved, short=held.backordered)
        else:
            self._emit(ReservationReleased, **fields, reserved=held.reserved, backordered=held.backordered)
            self._fill()

    def _fill(self) -> None:
        for order_id, held in self.held.items():
            self._move(order_id, held, min(held.backordered, self.on_hand - self.reserved))

    def _take_back(self, on_hand: int) -> None:
        for order_id, held in reversed(self.held.items()):
            self._move(order_id, held, -min(held.reserved, max(self.reserved - on_hand, 0)))

    def _move(self, order_id: str, held: Held, quantity: int) -> None:
        if quantity == 0:
            return
        held.reserved, held.backordered = held.reserved + quantity, held.backordered - quantity
        self._emit(
            BackorderFilled if quantity > 0 else ReservationBackordered, order_id=order_id, quantity=abs(quantity),
            reserved=held.reserved, backordered=held.backordered,
        )
