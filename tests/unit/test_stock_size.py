"""What one command costs the store on a SKU with 20,000 open orders: about what it costs on a SKU with one.

Work is counted as entries and bytes read from and written to an in-memory store, never timed.
"""

from dataclasses import dataclass

import pytest

from schemas.envelope import Payload
from schemas.inventory import BackorderFilled, ReservationBackordered
from tests.unit.builders import accepted
from tests.unit.stock_store import SKU, StockStore
from tests.unit.test_stock_domain import adjust, receive, release, reserve

OPEN_ORDERS = 20_000
ON_HAND = 2_000
MIDDLE = OPEN_ORDERS // 2
LARGEST_VALUE = 10_000


def order_id(n: int) -> str:
    return f"ORD-{n:05}"


@dataclass(frozen=True)
class Cost:
    keys_read: int
    bytes_read: int
    keys_written: int
    bytes_written: int

    def within(self, bound: "Cost", factor: int) -> bool:
        return all(mine <= factor * theirs for mine, theirs in zip(vars(self).values(), vars(bound).values(), strict=True))


def cost_of(store: StockStore, command: Payload) -> tuple[Cost, list[Payload]]:
    """Load, decide, evolve and write ``command``, counting what that reads and writes."""
    store.forget_reads()
    events = accepted(store.run(command))
    assert events, "the command changes the stock"
    written = store.written
    cost = Cost(len(store.keys_read), store.bytes_read, len(written), sum(map(len, written.values())))
    assert max(map(len, written.values())) < LARGEST_VALUE
    return cost, events


@pytest.fixture(scope="module")
def crowded() -> dict[str, bytes]:
    """The entries of a SKU with 20,000 open orders of 3 units: the first 667 hold stock, the rest wait for it."""
    store = StockStore()
    store.run(receive(ON_HAND))
    for n in range(OPEN_ORDERS):
        store.run(reserve(order_id(n), 3))
    state = store.load()
    assert state is not None and state.entry.open_orders == OPEN_ORDERS
    assert state.entry.backordered > 20 * state.entry.reserved
    assert max(map(len, store.entries.values())) < LARGEST_VALUE
    return store.entries


def with_one_order() -> StockStore:
    store = StockStore()
    store.run_all([receive(ON_HAND), reserve(order_id(MIDDLE), 3)])
    return store


@pytest.mark.parametrize(
    "command", [reserve(order_id(OPEN_ORDERS), 3), release(order_id(MIDDLE))], ids=["reserve", "release-middle"]
)
def test_a_command_on_a_crowded_sku_costs_at_most_twice_what_it_costs_with_one_open_order(
    crowded: dict[str, bytes], command: Payload,
) -> None:
    alone, _ = cost_of(with_one_order(), command)
    crowded_cost, _ = cost_of(StockStore(dict(crowded)), command)
    assert crowded_cost.within(alone, 2), (crowded_cost, alone)


@pytest.mark.parametrize("command", [receive(30), adjust(-30)], ids=["receipt-fills", "count-takes-back"])
def test_moving_stock_between_orders_reads_and_writes_only_the_orders_it_moves(
    crowded: dict[str, bytes], command: Payload,
) -> None:
    cost, events = cost_of(StockStore(dict(crowded)), command)
    moved = {event.order_id for event in events if isinstance(event, BackorderFilled | ReservationBackordered)}
    assert 10 <= len(moved) <= 12
    assert cost.keys_written == 1 + len(moved)
    assert cost.keys_read <= 1 + len(moved) + 1


def test_the_crowded_stock_entry_is_as_small_as_a_fresh_one(crowded: dict[str, bytes]) -> None:
    assert len(crowded[SKU]) <= 2 * len(with_one_order().entries[SKU])
