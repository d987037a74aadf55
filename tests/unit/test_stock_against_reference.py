"""Long random sequences of stock commands decided by the aggregate and by ``ReferenceStock``, the rules as first
written over a plain dict of reservations: every decision has the same events (or the same refusal), and the
stock ends with the same levels, holdings and closed orders.

The aggregate's state is handled as the worker may handle it: sometimes written to the store and loaded again,
sometimes written and kept as settled, sometimes kept with its changes unwritten over several commands. With odd
seeds it is never loaded again: the stock created in memory by its first receipt is the one that goes on.
"""

import random

import pytest

from domain.rejections import Decision
from domain.stock import StockState, decide
from domain.stock_state import Closed
from schemas.envelope import Payload
from schemas.inventory import INVENTORY_EVENTS, ORDER_LINE_COMMANDS
from schemas.outcomes import Rejection
from tests.unit.stock_reference import ReferenceStock
from tests.unit.stock_store import StockStore, evolve_all, holdings
from tests.unit.test_stock_domain import adjust, deduct, receive, release, reserve

SEEDS = range(8)
COMMANDS = 2_500
ORDER_IDS = [f"ORD-{n}" for n in range(40)]


def order_command(rng: random.Random, versions: dict[str, int]) -> Payload:
    """A reservation, release or deduction of a random order, at a later version of that order than before."""
    order_id = rng.choice(ORDER_IDS)
    versions[order_id] = versions.get(order_id, 0) + rng.randint(1, 2)
    kind = rng.choice(("reserve", "reserve", "release", "deduct"))
    if kind == "reserve":
        return reserve(order_id, rng.randint(1, 8), order_version=versions[order_id])
    return (release if kind == "release" else deduct)(order_id, order_version=versions[order_id])


def commands(seed: int) -> list[Payload]:
    """Receipts, adjustments (some taking more than there is), order commands and order commands sent again, however
    long ago they were first sent; now and then the SKU is not received until a few commands in."""
    rng = random.Random(seed)
    versions: dict[str, int] = {}
    sent: list[Payload] = []
    stream: list[Payload] = [] if seed % 4 == 0 else [receive(rng.randint(1, 12))]
    while len(stream) < COMMANDS:
        roll = rng.random()
        if roll < 0.2:
            stream.append(receive(rng.randint(1, 12)))
        elif roll < 0.3:
            stream.append(adjust(rng.choice((-1, 1)) * rng.randint(1, 10)))
        elif roll < 0.85 or not sent:
            sent.append(order_command(rng, versions))
            stream.append(sent[-1])
        else:
            stream.append(rng.choice(sent))
    return stream


class Driven:
    """The aggregate deciding one command after another, its state written (and, if it ``reloads``, loaded again)
    as ``rng`` picks."""

    def __init__(self, rng: random.Random, *, reloads: bool) -> None:
        self.rng = rng
        self.reloads = reloads
        self.store = StockStore()
        self.state: StockState | None = None

    def decide(self, command: Payload) -> Decision:
        decision = decide(self.state, command)
        if isinstance(decision, list) and decision:
            self.state = evolve_all(self.state, decision)
        if self.state is not None and self.rng.random() < 0.7:
            self.state = self.store.write(self.state)
            if self.reloads and self.rng.random() < 0.5:
                self.state = self.store.load()
        return decision


def as_reference_answers(decision: Decision) -> list[Payload] | str:
    return decision.code if isinstance(decision, Rejection) else decision


def closed_orders(state: StockState) -> dict[str, int]:
    return {order_id: held.order_version for order_id in ORDER_IDS
            if isinstance(held := state.order(order_id), Closed)}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_aggregate_decides_every_command_as_the_reference_does(seed: int) -> None:
    driven, reference = Driven(random.Random(seed), reloads=seed % 2 == 0), ReferenceStock()
    for command in commands(seed):
        assert as_reference_answers(driven.decide(command)) == reference.decide(command), command
    assert driven.state is not None
    driven.store.write(driven.state)
    stored = driven.store.load()
    assert stored is not None
    for state in (driven.state, stored):
        assert state.levels == reference.levels
        assert list(holdings(state).items()) == list(reference.holdings().items())
        assert closed_orders(state) == reference.closed


def reference_answers(seed: int) -> list[list[Payload] | str]:
    reference = ReferenceStock()
    return [reference.decide(command) for command in commands(seed)]


def test_the_sequences_reach_every_event_and_refusal_and_send_order_commands_again() -> None:
    """What the sequences reach, by the reference: the aggregate gives the same answers (the test above)."""
    answers = [answer for seed in SEEDS for answer in reference_answers(seed)]
    reached = {type(event) for answer in answers if isinstance(answer, list) for event in answer}
    assert reached == set(INVENTORY_EVENTS)
    refusals = {answer for answer in answers if isinstance(answer, str)}
    assert refusals == {"insufficient_stock", "not_tracked", "not_found"}
    order_commands = [command for command in commands(SEEDS[0]) if isinstance(command, ORDER_LINE_COMMANDS)]
    assert len(order_commands) - len(set(order_commands)) > COMMANDS // 10
