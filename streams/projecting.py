"""Projecting one event into a read view: pure, shared by every projector."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from schemas.envelope import Envelope, Payload
from streams.es_sink import IndexAction

V = TypeVar("V")
Fold = Callable[[V | None, Envelope[Payload]], V]


@dataclass(frozen=True)
class Record:
    """A record a projection hands on to another one through a topic."""

    topic: str
    key: bytes
    value: bytes


@dataclass(frozen=True)
class Projection:
    """What one event asks for: the new view to store (``None``: unchanged), the documents to index and the
    records to send on."""

    view: dict[str, Any] | None = None
    actions: list[IndexAction] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


class VersionGap(ValueError):
    pass


def no_records(view: Any, event: Envelope[Payload]) -> list[Record]:
    return []


def in_sequence(fold: Fold[V], version_of: Callable[[V], int]) -> Fold[V]:
    """``fold`` for events numbered 1..n by ``version_of``: a version already folded returns the view unchanged,
    a gap is refused."""

    def folded(view: V | None, event: Envelope[Payload]) -> V:
        current = version_of(view) if view is not None else 0
        version = event.version or 0
        if view is not None and version <= current:
            return view
        if version != current + 1:
            raise VersionGap(f"{event.aggregate_id}: expected version {current + 1}, got {version}")
        return fold(view, event)

    return folded


@dataclass
class ProjectionSpec(Generic[V]):
    """A read view folded per key (the record key, which is the envelope's ``aggregate_id``), with the documents
    it renders. ``version_of`` grows with every change ``fold`` makes and is the documents' external version."""

    name: str
    topics: tuple[str, ...]
    event_types: tuple[type[Payload], ...]
    view_type: type[V]
    version_of: Callable[[V], int]
    fold: Fold[V]
    documents: Callable[[V, Envelope[Payload]], list[IndexAction]]
    records: Callable[[V, Envelope[Payload]], list[Record]] = no_records

    def __post_init__(self) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(self.view_type)

    @property
    def table_name(self) -> str:
        return f"{self.name}-views"

    def project(self, raw_view: dict[str, Any] | None, event: Envelope[Payload]) -> Projection:
        """Fold the next event. An event that changes nothing (already folded) re-sends the view's documents and
        records (external versions and newer-wins readers make that harmless), so a crash between the table write
        and the sends loses nothing."""
        view: V | None = self._adapter.validate_python(raw_view) if raw_view is not None else None
        folded = self.fold(view, event)
        changed = view is None or self.version_of(folded) != self.version_of(view)
        return Projection(
            view=self._adapter.dump_python(folded, mode="json") if changed else None,
            actions=self.documents(folded, event),
            records=self.records(folded, event),
        )
