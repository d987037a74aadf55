"""The stock aggregate over an in-memory store, as the worker drives it: load, decide, evolve, write the entries."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.rejections import Decision
from domain.stock import decide, evolve, load_stock, stock_writes
from domain.stock_state import Reservation, StockState
from schemas.envelope import Payload

SKU = "SKU-1"


@dataclass
class StockStore:
    """The entries of one store, with what was read from it and written to it."""

    entries: dict[str, bytes] = field(default_factory=dict)
    keys_read: list[str] = field(default_factory=list)
    bytes_read: int = 0
    written: dict[str, bytes] = field(default_factory=dict)

    def read(self, key: str) -> bytes | None:
        value = self.entries.get(key)
        self.keys_read.append(key)
        self.bytes_read += len(value or b"")
        return value

    def load(self, sku: str = SKU) -> StockState | None:
        return load_stock(sku, self.read)

    def write(self, state: StockState) -> StockState:
        """Store what ``state`` changed; the state settled."""
        writes, settled = stock_writes(state)
        self.entries.update(writes)
        self.written = writes
        return settled

    def run(self, command: Payload, sku: str = SKU) -> Decision:
        """Load the stock, decide ``command``, evolve it by the events and store what they changed."""
        state = self.load(sku)
        decision = decide(state, command)
        if isinstance(decision, list) and decision:
            self.write(evolve_all(state, decision, sku))
        return decision

    def run_all(self, commands: Iterable[Payload]) -> list[Decision]:
        return [self.run(command) for command in commands]

    def forget_reads(self) -> None:
        self.keys_read, self.bytes_read = [], 0


def evolve_all(state: StockState | None, events: Iterable[Payload], sku: str = SKU) -> StockState:
    for event in events:
        state = evolve(state, event, sku=sku)
    assert state is not None
    return state


def open_reservations(state: StockState) -> dict[str, Reservation]:
    """The open reservations by arrival, walked from the oldest; every link is checked to lead back."""
    found: dict[str, Reservation] = {}
    order_id, older = state.entry.oldest, None
    while order_id is not None:
        held = state.reservation(order_id)
        assert held.older == older
        found[order_id] = held
        order_id, older = held.newer, order_id
    assert state.entry.newest == older
    sequences = [held.sequence for held in found.values()]
    assert sequences == sorted(set(sequences))
    return found


def holdings(state: StockState) -> dict[str, tuple[int, int]]:
    """What each open order holds by arrival: (reserved, backordered)."""
    return {order_id: (held.reserved, held.backordered) for order_id, held in open_reservations(state).items()}
