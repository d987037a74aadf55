import json
from typing import Any, TypeVar

import pytest
from pydantic import ValidationError

from domain.stock import StockState, decide, evolve, load_stock, stock_writes
from domain.stock_state import Closed, Reservation
from schemas.customers import CustomerRegistered
from schemas.envelope import Payload
from schemas.inventory import (
    INVENTORY_COMMANDS,
    INVENTORY_EVENTS,
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
from schemas.orders import SubmitOrder
from tests.unit.builders import accepted, event_types, refused
from tests.unit.stock_store import SKU, StockStore, evolve_all, holdings

M = TypeVar("M", bound=Payload)

DEFAULTS: dict[type[Payload], dict[str, Any]] = {
    ReceiveStock: {"sku": SKU, "quantity": 10},
    AdjustStock: {"sku": SKU, "quantity_delta": -1, "reason": "counted"},
    ReserveStock: {"sku": SKU, "order_id": "ORD-1", "order_version": 2, "quantity": 3},
    ReleaseStock: {"sku": SKU, "order_id": "ORD-1", "order_version": 3},
    DeductStock: {"sku": SKU, "order_id": "ORD-1", "order_version": 5},
}


def command(model: type[M], **overrides: Any) -> M:
    return model(**{**DEFAULTS[model], **overrides})


def unchecked(model: type[M], **overrides: Any) -> M:
    """Skips pydantic validation, to reach the domain's own checks."""
    return model.model_construct(**{**DEFAULTS[model], **overrides})


def receive(quantity: int, **overrides: Any) -> ReceiveStock:
    return command(ReceiveStock, quantity=quantity, **overrides)


def adjust(quantity_delta: int, **overrides: Any) -> AdjustStock:
    return command(AdjustStock, quantity_delta=quantity_delta, **overrides)


def reserve(order_id: str, quantity: int, order_version: int = 2) -> ReserveStock:
    return command(ReserveStock, order_id=order_id, quantity=quantity, order_version=order_version)


def release(order_id: str, order_version: int = 3) -> ReleaseStock:
    return command(ReleaseStock, order_id=order_id, order_version=order_version)


def deduct(order_id: str, order_version: int = 5) -> DeductStock:
    return command(DeductStock, order_id=order_id, order_version=order_version)


def stored(*commands: Payload) -> StockState | None:
    """The stock of ``SKU`` loaded from a store after deciding ``commands`` from nothing."""
    store = StockStore()
    for each in commands:
        accepted(store.run(each))
    return store.load()


def stock(*commands: Payload) -> StockState:
    state = stored(*commands)
    assert state is not None
    return state


def after(state: StockState, command: Payload) -> StockState:
    """``state`` evolved by what it decides for ``command``."""
    return evolve_all(state, accepted(decide(state, command)))


def levels(on_hand: int, reserved: int = 0, backordered: int = 0, open_orders: int = 0) -> StockLevels:
    return StockLevels(
        on_hand=on_hand, reserved=reserved, available=on_hand - reserved, backordered=backordered,
        open_orders=open_orders,
    )


# Refusals: a stable code, and a sentence for people.

IN_STOCK = (receive(10),)


@pytest.mark.parametrize(
    ("history", "refused_command", "code"),
    [
        ((), unchecked(ReceiveStock, quantity=0), "invalid_quantity"),
        (IN_STOCK, unchecked(ReceiveStock, quantity=-1), "invalid_quantity"),
        (IN_STOCK, unchecked(AdjustStock, quantity_delta=0), "invalid_quantity"),
        (IN_STOCK, adjust(-1, reason="   "), "reason_required"),
        (IN_STOCK, adjust(-11), "insufficient_stock"),
        ((*IN_STOCK, reserve("ORD-1", 4)), adjust(-11), "insufficient_stock"),
        ((), adjust(5), "not_found"),
        (IN_STOCK, unchecked(ReserveStock, quantity=0), "invalid_quantity"),
        ((), reserve("ORD-1", 2), "not_tracked"),
        (IN_STOCK, SubmitOrder(order_id="ORD-1"), "unknown_command"),
    ],
    ids=[
        "receive-zero", "receive-negative", "adjust-by-zero", "adjust-without-reason", "adjust-below-zero",
        "adjust-below-zero-with-reservations", "adjust-unknown-sku", "reserve-zero", "reserve-unknown-sku",
        "order-command",
    ],
)
def test_refusals(history: tuple[Payload, ...], refused_command: Payload, code: str) -> None:
    rejection = refused(decide(stored(*history), refused_command))
    assert rejection.code == code
    assert rejection.reason


def test_insufficient_stock_names_what_is_on_hand() -> None:
    assert refused(decide(stock(receive(4)), adjust(-5))).reason == f"cannot take 5 units of {SKU}: only 4 are on hand"


# Deliveries that change nothing: the caller sent them before, or there is nothing to release or deduct.


@pytest.mark.parametrize(
    ("history", "repeated"),
    [
        ((receive(5), reserve("ORD-1", 3)), reserve("ORD-1", 3)),
        ((receive(5), reserve("ORD-1", 3)), reserve("ORD-1", 9, order_version=7)),
        ((receive(1), reserve("ORD-1", 3)), reserve("ORD-1", 3)),
        ((receive(5), reserve("ORD-1", 3), release("ORD-1")), reserve("ORD-1", 3)),
        ((receive(5), reserve("ORD-1", 3), release("ORD-1", order_version=3)), reserve("ORD-1", 3, order_version=3)),
        ((receive(5), reserve("ORD-1", 3), deduct("ORD-1")), reserve("ORD-1", 3)),
        ((receive(5), reserve("ORD-1", 3), release("ORD-1")), release("ORD-1")),
        ((receive(5), reserve("ORD-1", 3), deduct("ORD-1")), deduct("ORD-1")),
        ((receive(5), reserve("ORD-1", 3), release("ORD-1")), deduct("ORD-1")),
        ((receive(5), reserve("ORD-1", 3), deduct("ORD-1")), release("ORD-1")),
        ((receive(5), reserve("ORD-2", 3)), release("ORD-1")),
        ((receive(5), reserve("ORD-2", 3)), deduct("ORD-1")),
        ((), release("ORD-1")),
        ((), deduct("ORD-1")),
        ((receive(5), reserve("ORD-1", 3, order_version=6)), release("ORD-1", order_version=4)),
        ((receive(5), reserve("ORD-1", 3, order_version=6)), deduct("ORD-1", order_version=5)),
    ],
    ids=[
        "reserve-while-open", "reserve-while-open-other-quantity", "reserve-backordered-while-open",
        "reserve-after-release", "reserve-at-the-release-version", "reserve-after-deduct", "release-twice",
        "deduct-twice", "deduct-after-release", "release-after-deduct", "release-unknown-order",
        "deduct-unknown-order", "release-unknown-sku", "deduct-unknown-sku", "release-older-than-reservation",
        "deduct-older-than-reservation",
    ],
)
def test_deliveries_that_change_nothing(history: tuple[Payload, ...], repeated: Payload) -> None:
    assert accepted(decide(stored(*history), repeated)) == []


# Receiving


def test_a_first_receipt_opens_the_stock() -> None:
    decision = decide(None, receive(10, product_name="Blue mug"))
    assert accepted(decision) == [StockReceived(quantity=10, product_name="Blue mug", levels=levels(10))]
    opened = stock(receive(10, product_name="Blue mug"))
    assert (opened.entry.product_name, opened.levels, opened.version) == ("Blue mug", levels(10), 1)


@pytest.mark.parametrize(
    ("names", "kept"),
    [((None, None), None), (("Blue mug", None), "Blue mug"), (("Blue mug", "Blue mug, 300 ml"), "Blue mug, 300 ml")],
    ids=["never-named", "named-once", "renamed"],
)
def test_a_receipt_names_the_product_when_it_says_a_name(names: tuple[str | None, ...], kept: str | None) -> None:
    received = stock(*(receive(1, product_name=name) for name in names))
    assert (received.entry.on_hand, received.entry.product_name) == (2, kept)


def test_a_receipt_fills_backorders_oldest_first() -> None:
    waiting = stock(receive(1), adjust(-1), reserve("ORD-1", 4), reserve("ORD-2", 3), reserve("ORD-3", 2))
    assert accepted(decide(waiting, receive(6))) == [
        StockReceived(quantity=6, levels=levels(6, 0, 9, 3)),
        BackorderFilled(order_id="ORD-1", quantity=4, reserved=4, backordered=0, levels=levels(6, 4, 5, 3)),
        BackorderFilled(order_id="ORD-2", quantity=2, reserved=2, backordered=1, levels=levels(6, 6, 3, 3)),
    ]


# Adjusting


@pytest.mark.parametrize(
    ("delta", "on_hand"), [(5, 15), (-3, 7), (-10, 0)], ids=["up", "down", "down-to-zero"]
)
def test_an_adjustment_moves_on_hand_stock(delta: int, on_hand: int) -> None:
    assert accepted(decide(stock(receive(10)), adjust(delta, reason="cycle count"))) == [
        StockAdjusted(quantity_delta=delta, reason="cycle count", levels=levels(on_hand))
    ]


def test_an_adjustment_down_to_what_is_reserved_keeps_every_reservation() -> None:
    held = stock(receive(10), reserve("ORD-1", 6))
    assert event_types(decide(held, adjust(-4))) == [StockAdjusted]


def test_an_adjustment_below_what_is_reserved_backorders_the_newest_reservations_first() -> None:
    held = stock(receive(10), reserve("ORD-1", 4), reserve("ORD-2", 3), reserve("ORD-3", 2))
    assert accepted(decide(held, adjust(-4, reason="water damage"))) == [
        ReservationBackordered(order_id="ORD-3", quantity=2, reserved=0, backordered=2, levels=levels(10, 7, 2, 3)),
        ReservationBackordered(order_id="ORD-2", quantity=1, reserved=2, backordered=1, levels=levels(10, 6, 3, 3)),
        StockAdjusted(quantity_delta=-4, reason="water damage", levels=levels(6, 6, 3, 3)),
    ]


def test_an_adjustment_up_fills_backorders() -> None:
    waiting = stock(receive(2), reserve("ORD-1", 5))
    assert event_types(decide(waiting, adjust(4))) == [StockAdjusted, BackorderFilled]
    assert holdings(after(waiting, adjust(4))) == {"ORD-1": (5, 0)}


# Reserving


@pytest.mark.parametrize(
    ("on_hand", "requested", "reserved"), [(10, 3, 3), (10, 10, 10), (2, 3, 2)], ids=["some", "all", "short"]
)
def test_a_reservation_takes_what_is_available_and_backorders_the_rest(
    on_hand: int, requested: int, reserved: int
) -> None:
    assert accepted(decide(stock(receive(on_hand)), reserve("ORD-1", requested))) == [StockReserved(
        order_id="ORD-1", order_version=2, requested=requested, reserved=reserved, backordered=requested - reserved,
        levels=levels(on_hand, reserved, requested - reserved, 1),
    )]


def test_an_untracked_sku_reserves_nothing_until_its_first_receipt() -> None:
    assert refused(decide(None, reserve("ORD-1", 3))).reason == f"SKU {SKU} is not tracked: it has never been received"
    with pytest.raises(ValueError, match="StockReserved applied to a stock that does not exist"):
        evolve(None, FIRST_EVENTS[1], sku=SKU)


def test_a_sku_sold_out_to_zero_backorders_the_whole_line() -> None:
    named = command(ReserveStock, quantity=3, product_name="Blue mug")
    sold_out = stock(receive(1), adjust(-1))
    assert accepted(decide(sold_out, named)) == [StockReserved(
        order_id="ORD-1", order_version=2, requested=3, reserved=0, backordered=3, product_name="Blue mug",
        levels=levels(0, 0, 3, 1),
    )]
    assert stock(receive(1), adjust(-1), named).order("ORD-1") == Reservation(
        reserved=0, backordered=3, order_version=2, sequence=3, older=None, newer=None,
    )


def test_a_reservation_names_a_product_only_when_the_stock_has_no_name() -> None:
    named = stock(receive(1, product_name="Blue mug"), command(ReserveStock, product_name="Mug"))
    assert named.entry.product_name == "Blue mug"


def test_reservations_queue_behind_backorders() -> None:
    queued = stock(receive(2), reserve("ORD-1", 5), reserve("ORD-2", 1))
    assert holdings(queued) == {"ORD-1": (2, 3), "ORD-2": (0, 1)}


def test_a_closed_order_may_reserve_again_from_a_later_order_version() -> None:
    reopened = stock(receive(5), reserve("ORD-1", 3), release("ORD-1"), reserve("ORD-1", 2, order_version=4))
    assert holdings(reopened) == {"ORD-1": (2, 0)}
    assert reopened.order("ORD-1") == Reservation(reserved=2, backordered=0, order_version=4, sequence=4)


# Releasing and deducting


def test_a_release_returns_the_reservation_and_fills_other_backorders() -> None:
    held = stock(receive(5), reserve("ORD-1", 4), reserve("ORD-2", 3))
    assert accepted(decide(held, release("ORD-1"))) == [
        ReservationReleased(order_id="ORD-1", order_version=3, reserved=4, backordered=0, levels=levels(5, 1, 2, 1)),
        BackorderFilled(order_id="ORD-2", quantity=2, reserved=3, backordered=0, levels=levels(5, 3, 0, 1)),
    ]
    assert after(held, release("ORD-1")).order("ORD-1") == Closed(order_version=3)


def test_a_release_drops_the_backorder() -> None:
    released = stock(receive(1), reserve("ORD-1", 4), release("ORD-1"))
    assert (released.levels, holdings(released)) == (levels(1), {})


def test_a_deduction_takes_the_reservation_out_of_stock() -> None:
    held = stock(receive(10), reserve("ORD-1", 4), reserve("ORD-2", 3))
    assert accepted(decide(held, deduct("ORD-1"))) == [
        StockDeducted(order_id="ORD-1", order_version=5, quantity=4, short=0, levels=levels(6, 3, 0, 1)),
    ]
    assert after(held, deduct("ORD-1")).order("ORD-1") == Closed(order_version=5)


def test_a_deduction_reports_the_backorder_it_ships_without() -> None:
    short = stock(receive(3), reserve("ORD-1", 5))
    assert accepted(decide(short, deduct("ORD-1"))) == [
        StockDeducted(order_id="ORD-1", order_version=5, quantity=3, short=2, levels=levels(0)),
    ]


def test_a_closed_order_is_recognised_however_many_orders_closed_after_it() -> None:
    store = StockStore()
    store.run_all([receive(5), reserve("ORD-0", 1), release("ORD-0")])
    for n in range(1, 1_200):
        store.run_all([reserve(f"ORD-{n}", 1), release(f"ORD-{n}")])
    state = store.load()
    assert state is not None and state.levels == levels(5)
    assert accepted(decide(state, reserve("ORD-0", 1))) == []
    assert event_types(decide(state, reserve("ORD-0", 1, order_version=4))) == [StockReserved]


def test_closing_an_order_again_records_the_later_version() -> None:
    twice = stock(
        receive(5), reserve("ORD-1", 1), release("ORD-1"), reserve("ORD-2", 1), release("ORD-2"),
        reserve("ORD-1", 1, order_version=4), release("ORD-1", order_version=5),
    )
    assert (twice.order("ORD-1"), twice.order("ORD-2")) == (Closed(order_version=5), Closed(order_version=3))


# Evolving


FIRST_EVENTS: list[Payload] = [
    StockReceived(quantity=1, levels=levels(1)),
    StockReserved(order_id="ORD-1", order_version=2, requested=1, reserved=0, backordered=1, levels=levels(0, 0, 1, 1)),
]
LATER_EVENTS: list[Payload] = [
    StockAdjusted(quantity_delta=1, reason="found", levels=levels(1)),
    BackorderFilled(order_id="ORD-1", quantity=1, reserved=1, backordered=0, levels=levels(1, 1)),
    ReservationBackordered(order_id="ORD-1", quantity=1, reserved=0, backordered=1, levels=levels(1)),
    ReservationReleased(order_id="ORD-1", order_version=3, reserved=0, backordered=0, levels=levels(0)),
    StockDeducted(order_id="ORD-1", order_version=5, quantity=0, short=0, levels=levels(0)),
]


def test_the_events_listed_are_every_event() -> None:
    assert {type(event) for event in (*FIRST_EVENTS, *LATER_EVENTS)} == set(INVENTORY_EVENTS)


@pytest.mark.parametrize("event", LATER_EVENTS, ids=lambda event: type(event).__name__)
def test_only_a_receipt_or_a_reservation_opens_a_stock(event: Payload) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        evolve(None, event, sku=SKU)


@pytest.mark.parametrize("event", LATER_EVENTS[1:], ids=lambda event: type(event).__name__)
def test_order_events_need_the_order_open(event: Payload) -> None:
    with pytest.raises(ValueError, match="holds no reservation"):
        evolve(stock(receive(1)), event)


def test_an_order_cannot_reserve_twice() -> None:
    with pytest.raises(ValueError, match="reserves SKU-1 twice"):
        evolve(stock(receive(1), reserve("ORD-1", 1)), FIRST_EVENTS[1])


def test_a_stock_refuses_events_of_other_aggregates() -> None:
    with pytest.raises(ValueError, match="stock does not apply CustomerRegistered"):
        evolve(stock(receive(1)), CustomerRegistered(name="Ada", email="ada@example.com"))


def unsettled() -> StockState:
    """A stock with order entries changed since it was loaded."""
    return after(stock(receive(5), reserve("ORD-1", 4)), reserve("ORD-2", 3))


def everything_in(state: StockState) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    return stock_writes(state)[0], holdings(state)


def test_evolving_leaves_the_state_it_was_given_as_it_was() -> None:
    held = unsettled()
    before = everything_in(held)
    evolve(held, ReservationReleased(order_id="ORD-1", order_version=3, reserved=4, backordered=0, levels=levels(5)))
    assert everything_in(held) == before == (before[0], {"ORD-1": (4, 0), "ORD-2": (1, 2)})
    assert set(before[0]) == {SKU, f"{SKU}/ORD-1", f"{SKU}/ORD-2"}


def test_deciding_leaves_the_state_it_was_given_as_it_was() -> None:
    held = unsettled()
    before = everything_in(held)
    for each in (release("ORD-1"), adjust(-4), receive(2), reserve("ORD-3", 1), deduct("ORD-2")):
        assert accepted(decide(held, each))
    assert everything_in(held) == before


def test_loading_a_stock_reads_its_stock_entry_only() -> None:
    store = StockStore()
    store.run_all([receive(5), reserve("ORD-1", 4), reserve("ORD-2", 3), release("ORD-1")])
    store.forget_reads()
    assert store.load() is not None and store.keys_read == [SKU]


def test_a_product_id_with_a_slash_is_never_a_stock_even_where_it_names_an_order_entry() -> None:
    store = StockStore()
    store.run_all([receive(5), reserve("ORD-1", 4)])
    store.forget_reads()
    assert f"{SKU}/ORD-1" in store.entries and store.load(f"{SKU}/ORD-1") is None and store.keys_read == []


def test_each_event_increments_version() -> None:
    assert stock(receive(2), reserve("ORD-1", 5), receive(4)).version == 4


# Messages


@pytest.mark.parametrize(
    ("model", "overrides", "loc"),
    [
        (ReceiveStock, {"quantity": 0}, ("quantity",)),
        (ReceiveStock, {"sku": "SKU 1"}, ("sku",)),
        (ReceiveStock, {"product_name": ""}, ("product_name",)),
        (AdjustStock, {"quantity_delta": 0}, ("quantity_delta",)),
        (AdjustStock, {"reason": ""}, ("reason",)),
        (ReserveStock, {"order_version": 0}, ("order_version",)),
        (ReserveStock, {"quantity": 1_000_001}, ("quantity",)),
        (ReleaseStock, {"order_id": "ORD 1"}, ("order_id",)),
        (DeductStock, {"colour": "red"}, ("colour",)),
    ],
    ids=lambda value: "-".join(map(str, value)) if isinstance(value, tuple) else getattr(value, "__name__", None),
)
def test_invalid_commands_name_the_field(model: type[Payload], overrides: dict[str, Any], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as error:
        command(model, **overrides)
    assert [tuple(detail["loc"]) for detail in error.value.errors()] == [loc]


def test_every_command_has_defaults_and_a_sku() -> None:
    assert set(DEFAULTS) == set(INVENTORY_COMMANDS)
    assert all(command(model).sku == SKU for model in INVENTORY_COMMANDS)


@pytest.mark.parametrize("model", [*INVENTORY_COMMANDS, *INVENTORY_EVENTS], ids=lambda model: model.__name__)
def test_every_message_exports_a_json_schema_without_numbers(model: type[Payload]) -> None:
    schema = model.model_json_schema(mode="serialization")
    assert (schema["title"], schema["additionalProperties"]) == (model.__name__, False)
    assert '"number"' not in json.dumps(schema)


@pytest.mark.parametrize("event", [*FIRST_EVENTS, *LATER_EVENTS], ids=lambda event: type(event).__name__)
def test_events_round_trip_through_json(event: Payload) -> None:
    assert type(event).model_validate_json(event.model_dump_json()) == event


def test_a_stock_round_trips_through_its_entries_with_its_closed_orders_kept() -> None:
    state: StockState | None = None
    for each in (receive(5), reserve("ORD-2", 1), reserve("ORD-1", 2), reserve("ORD-3", 9), release("ORD-2"),
                 deduct("ORD-1")):
        state = evolve_all(state, accepted(decide(state, each)))
    assert state is not None
    entries, _ = stock_writes(state)
    loaded = load_stock(SKU, entries.get)
    assert loaded is not None and (loaded.entry, holdings(loaded)) == (state.entry, {"ORD-3": (3, 6)})
    assert (loaded.order("ORD-2"), loaded.order("ORD-1")) == (Closed(order_version=3), Closed(order_version=5))
