"""The stock arithmetic under random sequences of receipts, adjustments and order deliveries.

Each seed builds a few orders (reserve, then maybe release or deduct, sometimes reserve again later), interleaves
them with receipts and adjustments, and delivers some order commands again. After every event the aggregate's
invariants hold; after every command the stock matches ``Ledger``, a plain model of the rules kept apart from the
aggregate; replaying the events gives the same stock; and a command delivered again changes nothing. The stock is
stored after every command and loaded again for the next, as the worker does.
"""

import random
from dataclasses import dataclass, field

import pytest

from domain.stock import ORDER_LINE_COMMANDS, StockState, decide, evolve, stock_writes
from domain.stock_state import Closed
from schemas.envelope import Payload
from schemas.inventory import (
    INVENTORY_EVENTS,
    AdjustStock,
    BackorderFilled,
    DeductStock,
    ReceiveStock,
    ReleaseStock,
    ReservationBackordered,
    ReserveStock,
)
from schemas.outcomes import Rejection
from tests.unit.stock_store import SKU, StockStore, holdings, open_reservations
from tests.unit.test_stock_domain import adjust, deduct, receive, release, reserve

SEEDS = range(200)
ORDER_IDS = [f"ORD-{n}" for n in range(6)]
EVENT_TYPES = {model.__name__: model for model in INVENTORY_EVENTS}


@dataclass
class Ledger:
    """What stock there is and which open orders want how much of it, in their order of arrival."""

    opened: bool = False
    on_hand: int = 0
    wanted: dict[str, tuple[int, int]] = field(default_factory=dict)  # order id -> (requested, order version)
    closed: dict[str, int] = field(default_factory=dict)

    def holdings(self) -> dict[str, tuple[int, int]]:
        """First come, first served: each open order holds what is left after the orders before it."""
        left, held = self.on_hand, {}
        for order_id, (requested, _) in self.wanted.items():
            reserved = min(requested, left)
            left -= reserved
            held[order_id] = (reserved, requested - reserved)
        return held

    def apply(self, command: Payload) -> str | None:
        """Apply ``command``; return the code it is refused with, if it is."""
        match command:
            case ReceiveStock(quantity=quantity):
                self.opened, self.on_hand = True, self.on_hand + quantity
            case AdjustStock(quantity_delta=delta):
                return self._adjust(delta)
            case ReserveStock(order_id=order_id, order_version=version, quantity=quantity):
                return self._reserve(order_id, version, quantity)
            case ReleaseStock(order_id=order_id, order_version=version) | DeductStock(
                order_id=order_id, order_version=version
            ):
                self._close(order_id, version, shipped=isinstance(command, DeductStock))
        return None

    def _adjust(self, delta: int) -> str | None:
        if not self.opened:
            return "not_found"
        if self.on_hand + delta < 0:
            return "insufficient_stock"
        self.on_hand += delta
        return None

    def _reserve(self, order_id: str, version: int, quantity: int) -> str | None:
        if not self.opened:
            return "not_tracked"
        if order_id not in self.wanted and self.closed.get(order_id, 0) < version:
            self.closed.pop(order_id, None)
            self.wanted[order_id] = (quantity, version)
        return None

    def _close(self, order_id: str, version: int, *, shipped: bool) -> None:
        if order_id not in self.wanted or self.wanted[order_id][1] > version:
            return
        if shipped:
            self.on_hand -= self.holdings()[order_id][0]
        del self.wanted[order_id]
        self.closed.pop(order_id, None)
        self.closed[order_id] = version


@dataclass(frozen=True)
class Delivery:
    command: Payload
    again: bool = False


@dataclass
class Run:
    state: StockState | None = None
    store: StockStore = field(default_factory=StockStore)
    ledger: Ledger = field(default_factory=Ledger)
    events: list[Payload] = field(default_factory=list)
    decisions: list[list[Payload] | Rejection] = field(default_factory=list)


def deliver(deliveries: list[Delivery]) -> Run:
    """Decide each delivery in turn, checking the stock after every event and every command."""
    run = Run()
    for delivery in deliveries:
        run.state = run.store.load()
        decision = decide(run.state, delivery.command)
        run.decisions.append(decision)
        for event in decision if isinstance(decision, list) else []:
            run.state = evolve(run.state, event, sku=SKU)
            run.events.append(event)
            check_event(run.state, event)
        if run.state is not None:
            run.store.write(run.state)
        check_decision(run, decision, run.ledger.apply(delivery.command))
    return run


def check_event(state: StockState, event: Payload) -> None:
    """The invariants hold after every event, and the event carries the stock it leaves."""
    entry, by_arrival = state.entry, open_reservations(state)
    reservations = by_arrival.values()
    assert 0 <= entry.reserved <= entry.on_hand
    assert entry.backordered >= 0
    assert entry.reserved == sum(held.reserved for held in reservations)
    assert entry.backordered == sum(held.backordered for held in reservations)
    assert entry.open_orders == len(reservations)
    assert all(held.reserved >= 0 and held.backordered >= 0 for held in reservations)
    waiting = [order_id for order_id, held in by_arrival.items() if held.backordered]
    assert entry.oldest_backordered == next(iter(waiting), None)
    assert event.levels == state.levels  # type: ignore[attr-defined]  # every stock event has levels
    if isinstance(event, BackorderFilled | ReservationBackordered):
        assert (event.reserved, event.backordered) == holdings(state)[event.order_id]


def check_decision(run: Run, decision: list[Payload] | Rejection, refused_with: str | None) -> None:
    """After every command the stock is what the ledger says, and no stock waits while an order is backordered."""
    assert getattr(decision, "code", None) == refused_with
    if run.state is None:
        assert not run.ledger.opened
        return
    assert run.state.available == 0 or run.state.entry.backordered == 0
    assert (run.state.entry.on_hand, holdings(run.state)) == (run.ledger.on_hand, run.ledger.holdings())
    assert closed_orders(run.state) == {order_id: Closed(version) for order_id, version in run.ledger.closed.items()}
    assert run.state.version == len(run.events)


def closed_orders(state: StockState) -> dict[str, Closed]:
    return {order_id: held for order_id in ORDER_IDS if isinstance(held := state.order(order_id), Closed)}


# Scenarios


def order_script(rng: random.Random, order_id: str) -> list[Payload]:
    """An order's commands in the order its events happen: reserve, then maybe cancel or ship, maybe again later."""
    version = rng.randint(1, 3)
    script: list[Payload] = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        script.append(reserve(order_id, rng.randint(1, 8), order_version=version))
        version += rng.randint(1, 3)
        ending = rng.choice((None, release, deduct))
        if ending is None:
            break
        script.append(ending(order_id, order_version=version))
        version += 1
    return script


def stock_command(rng: random.Random) -> Payload:
    if rng.random() < 0.6:
        return receive(rng.randint(1, 10))
    return adjust(rng.choice((-1, 1)) * rng.randint(1, 8))


def interleave(rng: random.Random, sequences: list[list[Payload]]) -> list[Payload]:
    """One stream keeping each sequence's own order."""
    queues = [list(sequence) for sequence in sequences if sequence]
    stream = []
    while queues:
        queue = rng.choice(queues)
        stream.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    return stream


def redeliver(rng: random.Random, stream: list[Payload]) -> list[Delivery]:
    """``stream`` with some order commands delivered again, anywhere after their first delivery."""
    deliveries = [Delivery(command) for command in stream]
    firsts = [index for index, delivery in enumerate(deliveries) if isinstance(delivery.command, ORDER_LINE_COMMANDS)]
    for first in sorted(rng.sample(firsts, k=rng.randint(0, len(firsts))), reverse=True):
        deliveries.insert(rng.randint(first + 1, len(deliveries)), Delivery(deliveries[first].command, again=True))
    return deliveries


def scenario(seed: int, *, shuffled: bool = False) -> list[Delivery]:
    """Orders and stock commands for ``seed``; ``shuffled``: each order's commands in any order."""
    rng = random.Random(seed)
    scripts = [order_script(rng, order_id) for order_id in ORDER_IDS[:rng.randint(1, len(ORDER_IDS))]]
    if shuffled:
        for script in scripts:
            rng.shuffle(script)
    stock_commands = [stock_command(rng) for _ in range(rng.randint(0, 6))]
    # The SKU is tracked from the start; ``test_stock_domain`` covers untracked SKUs.
    opening = [Delivery(receive(rng.randint(1, 10)))]
    return opening + redeliver(rng, interleave(rng, [*scripts, stock_commands]))


def first_deliveries(deliveries: list[Delivery]) -> list[Delivery]:
    return [delivery for delivery in deliveries if not delivery.again]


# Properties


@pytest.mark.parametrize("seed", SEEDS)
def test_deliveries_in_order_keep_the_invariants_and_match_the_ledger(seed: int) -> None:
    deliver(scenario(seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_deliveries_in_any_order_keep_the_invariants_and_match_the_ledger(seed: int) -> None:
    deliver(scenario(seed, shuffled=True))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_command_delivered_again_changes_nothing(seed: int) -> None:
    deliveries = scenario(seed)
    run = deliver(deliveries)
    assert [decision for delivery, decision in zip(deliveries, run.decisions, strict=True) if delivery.again] == [
        [] for delivery in deliveries if delivery.again
    ]
    once = deliver(first_deliveries(deliveries))
    assert (run.store.entries, run.events) == (once.store.entries, once.events)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_order_delivered_twice_over_changes_nothing(seed: int) -> None:
    stream = first_deliveries(scenario(seed))
    orders_again = [Delivery(delivery.command, again=True) for delivery in stream
                    if isinstance(delivery.command, ORDER_LINE_COMMANDS)]
    run = deliver([*stream, *orders_again])
    assert run.decisions[len(stream):] == [[] for _ in orders_again]


@pytest.mark.parametrize("seed", SEEDS)
def test_replaying_the_events_gives_the_same_stock(seed: int) -> None:
    run = deliver(scenario(seed, shuffled=seed % 2 == 1))
    replayed: StockState | None = None
    for event in run.events:
        stored = EVENT_TYPES[type(event).__name__].model_validate_json(event.model_dump_json())
        replayed = evolve(replayed, stored, sku=SKU)
    assert replayed is not None
    assert stock_writes(replayed)[0] == run.store.entries


def test_the_scenarios_reach_every_event_and_every_refusal() -> None:
    runs = [deliver(scenario(seed, shuffled=shuffled)) for seed in SEEDS for shuffled in (False, True)]
    reached = {type(event) for run in runs for event in run.events}
    refusals = {decision.code for run in runs for decision in run.decisions if isinstance(decision, Rejection)}
    assert reached == set(INVENTORY_EVENTS)
    assert refusals == {"insufficient_stock"}


def test_a_release_delivered_before_its_reservation_changes_nothing_and_the_reservation_then_holds() -> None:
    run = deliver([Delivery(receive(5)), Delivery(release("ORD-1")), Delivery(reserve("ORD-1", 2))])
    assert run.decisions[1] == []
    assert run.state is not None and holdings(run.state) == {"ORD-1": (2, 0)}
