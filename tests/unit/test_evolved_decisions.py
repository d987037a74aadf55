"""A stock rule evolves its events to decide them; the decider takes those states instead of evolving the events
again. They must be exactly the states evolving the events one by one gives."""

from typing import Any

from domain.rejections import Evolved
from domain.stock import StockState, stock_writes
from schemas.codec import decode
from schemas.envelope import Payload
from schemas.inventory import (
    INVENTORY_EVENTS,
    AdjustStock,
    DeductStock,
    ReceiveStock,
    ReleaseStock,
    ReserveStock,
)
from streams.deciding import decide_command
from streams.specs import INVENTORY_AGGREGATE
from tests.unit.envelopes import AT, command

SKU = "P-1"

COMMANDS: tuple[Payload, ...] = (
    ReceiveStock(sku=SKU, quantity=3, product_name="Pen"),
    ReserveStock(sku=SKU, order_id="O-1", order_version=3, quantity=2),
    ReserveStock(sku=SKU, order_id="O-2", order_version=3, quantity=4),
    ReserveStock(sku=SKU, order_id="O-3", order_version=3, quantity=1),
    ReceiveStock(sku=SKU, quantity=2),
    AdjustStock(sku=SKU, quantity_delta=-3, reason="damaged"),
    ReleaseStock(sku=SKU, order_id="O-1", order_version=5),
    DeductStock(sku=SKU, order_id="O-2", order_version=6),
    AdjustStock(sku=SKU, quantity_delta=7, reason="found"),
)


def evolved_one_by_one(state: StockState | None, event_values: tuple[bytes, ...]) -> Any:
    for value in event_values:
        state = INVENTORY_AGGREGATE.evolve(state, decode(value, INVENTORY_EVENTS).payload, SKU)
    return state


def test_decided_states_are_the_events_evolved_one_by_one() -> None:
    state: StockState | None = None
    for payload in COMMANDS:
        decided = decide_command(INVENTORY_AGGREGATE, state, command(payload, SKU), AT)
        assert decided.accepted, decided.outcome
        expected = evolved_one_by_one(state, decided.event_values)
        assert decided.state == expected
        assert stock_writes(decided.state)[0] == stock_writes(expected)[0]
        state = decided.state


def test_states_of_another_start_are_not_taken() -> None:
    """A new stock is named by the command's aggregate id, whatever SKU the receipt names."""
    decided = decide_command(INVENTORY_AGGREGATE, None, command(ReceiveStock(sku="P-2", quantity=1), SKU), AT)
    assert decided.state.sku == SKU


def test_evolved_decisions_are_their_events() -> None:
    events = [ReceiveStock(sku=SKU, quantity=1)]
    assert Evolved(events, None, ()) == events
