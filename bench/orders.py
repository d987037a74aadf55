"""Generated orders: each a list of commands that the order rules accept, in the order they are to be sent."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench import catalog
from domain import order as order_domain
from schemas.envelope import Payload
from schemas.money import quantize
from schemas.outcomes import Rejection
from schemas.registry import payload_model

CUSTOMERS = 20_000
CANCEL_SHARE = 0.1
NOTES_SHARE = 0.2


@dataclass(frozen=True)
class PlannedCommand:
    type: str
    payload: dict[str, Any]  # as JSON: money as strings

    @property
    def order_id(self) -> str:
        return str(self.payload["order_id"])


@dataclass(frozen=True)
class OrderPlan:
    order_id: str
    commands: tuple[PlannedCommand, ...]


def plan_order(order_id: str, rng: random.Random, max_steps: int | None = None) -> OrderPlan:
    """A new order with 1-3 items that goes some random way through its lifecycle (or ``max_steps`` commands)."""
    create, total = _create(order_id, rng)
    commands = [create, *_lifecycle(order_id, total, rng)]
    return OrderPlan(order_id, tuple(commands[:max_steps] if max_steps else commands))


def _create(order_id: str, rng: random.Random) -> tuple[PlannedCommand, Decimal]:
    customer_id, name, email = catalog.customer(rng.randrange(CUSTOMERS))
    city, postal_code, country = rng.choice(catalog.CITIES)
    items: list[dict[str, Any]] = []
    for number in rng.sample(range(catalog.PRODUCT_COUNT), rng.randint(1, 3)):
        product_id, product_name, price = catalog.product(number)
        items.append({"product_id": product_id, "product_name": product_name, "quantity": rng.randint(1, 3),
                      "unit_price": str(price)})
    payload: dict[str, Any] = {
        "order_id": order_id, "customer_id": customer_id, "customer": {"name": name, "email": email},
        "shipping_address": {"line1": f"{rng.randint(1, 250)} {rng.choice(catalog.STREETS)}", "city": city,
                             "postal_code": postal_code, "country": country},
        "items": items,
    }
    if rng.random() < NOTES_SHARE:
        payload["notes"] = rng.choice(catalog.NOTES)
    total = quantize(sum((Decimal(item["unit_price"]) * item["quantity"] for item in items), Decimal(0)))
    return PlannedCommand("CreateOrder", payload), total


def _lifecycle(order_id: str, total: Decimal, rng: random.Random) -> Iterator[PlannedCommand]:
    steps: list[tuple[str, dict[str, Any]]] = [
        ("SubmitOrder", {}),
        ("RecordPayment", {"amount": str(total), "method": "card", "reference": f"PAY-{order_id}"}),
        ("ConfirmOrder", {}),
        ("ShipOrder", {"carrier": rng.choice(catalog.CARRIERS), "tracking_number": f"TRK-{order_id}"}),
        ("DeliverOrder", {}),
    ]
    taken = rng.randint(0, len(steps))
    for command_type, fields in steps[:taken]:
        yield PlannedCommand(command_type, {"order_id": order_id, **fields})
    if taken < 4 and rng.random() < CANCEL_SHARE:
        yield PlannedCommand("CancelOrder", {"order_id": order_id, "reason": rng.choice(catalog.CANCEL_REASONS)})


def plans_with_commands(prefix: str, commands: int, seed: int) -> list[OrderPlan]:
    """Orders ``<prefix>-<n>`` with ``commands`` commands in all (the last order may stop early)."""
    rng = random.Random(seed)
    plans: list[OrderPlan] = []
    left = commands
    while left > 0:
        plan = plan_order(f"{prefix}-{len(plans) + 1}", rng, max_steps=None)
        plan = OrderPlan(plan.order_id, plan.commands[:left])
        plans.append(plan)
        left -= len(plan.commands)
    return plans


def command_payload(command: PlannedCommand) -> Payload:
    return payload_model(command.type).model_validate(command.payload)


def decided_events(plan: OrderPlan) -> list[list[Payload]]:
    """The events the order rules decide for each command of the plan, in order (as the worker decides them)."""
    state: order_domain.Order | None = None
    decided: list[list[Payload]] = []
    for command in plan.commands:
        decision = order_domain.decide(state, command_payload(command))
        if isinstance(decision, Rejection):
            raise ValueError(f"{plan.order_id}: {command.type} would be rejected: {decision}")
        for event in decision:
            state = order_domain.evolve(state, event, order_id=plan.order_id)
        decided.append(list(decision))
    return decided


def versions_after_each_command(plan: OrderPlan) -> list[int]:
    """The order's version once each command is decided: what a reader must see for it to be visible."""
    versions: list[int] = []
    version = 0
    for events in decided_events(plan):
        version += len(events)
        versions.append(version)
    return versions
