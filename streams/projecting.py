"""Projecting one event into a read view: pure, shared by every projector."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from schemas.envelope import Envelope, Payload
from streams.es_sink import IndexAction

V = TypeVar("V")


@dataclass(frozen=True)
class Projection:
    """What one event asks for: the new view to store (``None``: unchanged) and the documents to index."""

    view: dict[str, Any] | None = None
    actions: list[IndexAction] = field(default_factory=list)


class VersionGap(ValueError):
    pass


@dataclass
class ProjectionSpec(Generic[V]):
    """A read view folded per aggregate, with the documents it renders."""

    name: str
    events_topic: str
    event_types: tuple[type[Payload], ...]
    view_type: type[V]
    version_of: Callable[[V], int]
    fold: Callable[[V | None, Envelope[Payload]], V]
    documents: Callable[[V, Envelope[Payload]], list[IndexAction]]

    def __post_init__(self) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(self.view_type)

    @property
    def table_name(self) -> str:
        return f"{self.name}-views"

    def project(self, raw_view: dict[str, Any] | None, event: Envelope[Payload]) -> Projection:
        """Fold the next event. A version already folded re-sends its documents (external versions make
        that harmless), so a crash between the table write and the index write loses nothing."""
        view: V | None = self._adapter.validate_python(raw_view) if raw_view is not None else None
        current = self.version_of(view) if view is not None else 0
        version = event.version or 0
        if view is not None and version <= current:
            return Projection(actions=self.documents(view, event))
        if version != current + 1:
            raise VersionGap(f"{event.aggregate_id}: expected version {current + 1}, got {version}")
        folded = self.fold(view, event)
        return Projection(view=self._adapter.dump_python(folded, mode="json"), actions=self.documents(folded, event))
