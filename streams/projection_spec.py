"""What a read view is: how it folds events (``ProjectionSpec``), the parts it sums up (``PartTable``), and the
version rule its folds follow (``in_sequence``). ``streams.projecting`` runs them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from schemas.envelope import Envelope, Payload
from streams.records import IndexAction, Record

V = TypeVar("V")
P = TypeVar("P")
Fold = Callable[[V | None, Envelope[Payload]], V]
# (view, part, event, position) -> (view, part): returns the very ``part`` it was given when the part is unchanged.
PartFold = Callable[[V | None, P | None, Envelope[Payload], int], tuple[V, P | None]]


class VersionGap(ValueError):
    pass


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


def no_event_documents(view: Any, event: Envelope[Payload]) -> list[IndexAction]:
    return []


def no_records(view: Any, event: Envelope[Payload]) -> list[Record]:
    return []


@dataclass
class PartTable(Generic[V, P]):
    """A second table beside the views, for the parts a view sums up (what each order contributed to its customer),
    so that the view stays the same size however many parts it has.

    ``key_of`` names the part an event folds into (``None``: the event folds into the view alone, through the spec's
    ``fold``). A part lives in the partition of its view's records. ``fold`` is given the record's offset in its
    partition as ``position``: every event with a part key must come from one topic, so that positions grow with
    the records of one view.
    """

    name: str
    part_type: type[P]
    key_of: Callable[[Envelope[Payload]], str | None]
    fold: PartFold[V, P]


@dataclass(frozen=True)
class Folded(Generic[V]):
    """One event folded: the view after it, whether it changed, and the part it changed (``None``: unchanged)."""

    view: V
    changed: bool
    part: tuple[str, Any] | None = None


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
    view_documents: Callable[[V], list[IndexAction]]
    event_documents: Callable[[V, Envelope[Payload]], list[IndexAction]] = no_event_documents
    # Records the view sends on as the batch leaves it, given the last event that changed it.
    view_records: Callable[[V, Envelope[Payload]], list[Record]] = no_records
    parts: PartTable[V, Any] | None = None

    @property
    def table_name(self) -> str:
        return f"{self.name}-views"

    @property
    def parts_table_name(self) -> str:
        return f"{self.name}-{self.parts.name}" if self.parts else ""

    @property
    def behind_table_name(self) -> str:
        return f"{self.name}-behind"

    @property
    def table_names(self) -> list[str]:
        names = [self.table_name, self.behind_table_name]
        return [*names, self.parts_table_name] if self.parts else names

    def part_key(self, event: Envelope[Payload]) -> str | None:
        return self.parts.key_of(event) if self.parts else None

    def fold_event(self, view: V | None, event: Envelope[Payload], part: Any, position: int) -> Folded[V]:
        key = self.part_key(event)
        if key is None or self.parts is None:
            folded, part_write = self.fold(view, event), None
        else:
            folded, new_part = self.parts.fold(view, part, event, position)
            part_write = (key, new_part) if new_part is not None and new_part is not part else None
        changed = view is None or self.version_of(folded) != self.version_of(view)
        return Folded(folded, changed, part_write)
