"""Order plans as the events the worker would append to orders.events: the order rules decide each command."""

import random
import uuid
from datetime import datetime, timedelta

from bench.orders import OrderPlan, decided_events
from schemas.envelope import Envelope, Payload, envelope_type, event_id

ACTOR = "bench"
BENCH_NAMESPACE = uuid.UUID("0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d")


def order_events(plan: OrderPlan, created_at: datetime, rng: random.Random) -> list[Envelope[Payload]]:
    """Versions 1..n, each command's events a few minutes to a day after the previous command's."""
    envelopes: list[Envelope[Payload]] = []
    occurred_at = created_at
    for index, payloads in enumerate(decided_events(plan)):
        command_id = uuid.uuid5(BENCH_NAMESPACE, f"{plan.order_id}/{index}")
        for payload in payloads:
            version = len(envelopes) + 1
            envelopes.append(envelope_type(type(payload))(
                id=event_id(command_id, version), type=type(payload).__name__, aggregate_id=plan.order_id,
                version=version, occurred_at=occurred_at, command_id=command_id, correlation_id=command_id,
                actor=ACTOR, payload=payload,
            ))
        occurred_at += timedelta(minutes=rng.randint(5, 24 * 60))
    return envelopes
