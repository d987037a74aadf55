"""Folding events through the worker's projectors in memory: the same ``Projectors`` the projector loop and the
rebuild run, settled as the rebuild settles them (``project_settled``), over a dict standing in for the stores."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json, to_json

from schemas.codec import encode
from schemas.customers import OrderSummary
from schemas.envelope import Envelope, Payload
from schemas.topics import CUSTOMERS_ORDER_SUMMARIES
from streams.folding import project_settled
from streams.memory import MemoryStores
from streams.projecting import Projected, Projectors
from streams.projection_spec import ProjectionSpec
from streams.records import Consumed, IndexAction, Record

PARTITION = 0


@dataclass(frozen=True)
class Step:
    """What one batch asked for: ``view`` and ``part`` are what it stored (parsed; ``None``: unchanged)."""

    actions: list[IndexAction]
    records: list[Record]
    dead_letters: list[Record]
    view: Any
    part: Any


def topic_of(spec: ProjectionSpec[Any], event: Envelope[Payload]) -> str:
    return CUSTOMERS_ORDER_SUMMARIES if isinstance(event.payload, OrderSummary) else spec.topics[0]


def consumed(spec: ProjectionSpec[Any], event: Envelope[Payload], offset: int) -> Consumed:
    return Consumed(topic_of(spec, event), PARTITION, offset, event.aggregate_id.encode(), encode(event))


class ProjectionRun:
    """``Projectors`` over memory stores; each ``batch`` is committed before the next."""

    def __init__(self, *specs: ProjectionSpec[Any], stores: MemoryStores | None = None) -> None:
        self.specs = specs
        self.stores = stores or MemoryStores()
        self.projectors = Projectors(specs, self.stores.read)

    def batch(self, records: list[Consumed]) -> Projected:
        return project_settled(self.projectors, records, self.stores)

    def step(self, spec: ProjectionSpec[Any], event: Envelope[Payload], offset: int) -> Step:
        projected = self.batch([consumed(spec, event, offset)])
        written = {store: value for store, _, _, value in projected.writes}
        return Step(
            actions=[action for action, _ in projected.actions], records=projected.records,
            dead_letters=projected.dead_letters,
            view=_parsed(written.get(spec.table_name)),
            part=_parsed(written.get(spec.parts_table_name)) if spec.parts else None,
        )


def project_events(
    spec: ProjectionSpec[Any], events: Iterable[Envelope[Payload]], parts: dict[str, Any] | None = None,
    view: Any = None, first_position: int = 0,
) -> tuple[Any, list[Step]]:
    """The view after all ``events`` (each its own batch, folded into ``view``) and what each one asked for. The
    events are the records at the positions from ``first_position`` on; the spec's parts are kept in ``parts`` (pass
    a dict to see or preset them)."""
    events = list(events)
    run = ProjectionRun(spec)
    if view is not None and events:
        run.stores.data[(spec.table_name, PARTITION, events[0].aggregate_id)] = to_json(view)
    for key, part in (parts or {}).items():
        run.stores.data[(spec.parts_table_name, PARTITION, key)] = to_json(part)
    steps = [run.step(spec, event, offset) for offset, event in enumerate(events, start=first_position)]
    if parts is not None and spec.parts:
        parts.update(run.stores.parsed(spec.parts_table_name))
    key = events[-1].aggregate_id if events else None
    stored = run.stores.read(spec.table_name, PARTITION, key) if key else None
    return _parsed(stored), steps


def _parsed(value: bytes | None) -> Any:
    return from_json(value) if value is not None else None
