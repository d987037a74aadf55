"""Projecting one event into a read view: pure, shared by every projector."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from schemas.envelope import Envelope, Payload
from streams.es_sink import IndexAction
from streams.stored import CACHED_VALUES, StoredValues

V = TypeVar("V")
P = TypeVar("P")
# How a view or a part is stored: as JSON-ready dicts (``ProjectionSpec.project``) or as JSON bytes (``Projector``).
T = TypeVar("T")
Fold = Callable[[V | None, Envelope[Payload]], V]
# (view, part, event, position) -> (view, part): returns the very ``part`` it was given when the part is unchanged.
PartFold = Callable[[V | None, P | None, Envelope[Payload], int], tuple[V, P | None]]


@dataclass(frozen=True)
class Record:
    """A record a projection hands on to another one through a topic. Records with the same ``topic`` and
    ``snapshot_of`` are whole snapshots of one thing, each replacing the one before: of several sent together only
    the last one needs to be sent."""

    topic: str
    key: bytes
    value: bytes
    snapshot_of: str | None = None


@dataclass(frozen=True)
class PartWrite(Generic[T]):
    key: str
    value: T


@dataclass(frozen=True)
class Projection(Generic[T]):
    """What one event asks for: the new view to store (``None``: unchanged), the documents to index, the
    records to send on and the part to store (``None``: unchanged)."""

    view: T | None = None
    actions: list[IndexAction] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    part: PartWrite[T] | None = None


@dataclass(frozen=True)
class FoldResult(Generic[V, P]):
    """One event folded: the view after it, whether it changed, and the part it changed (``None``: unchanged)."""

    view: V
    changed: bool
    part: PartWrite[P] | None = None


class VersionGap(ValueError):
    pass


def latest_snapshots(records: list[Record]) -> list[Record]:
    """``records`` in order, less the snapshots a later record of the same thing replaces."""
    last = {(record.topic, record.snapshot_of): index for index, record in enumerate(records)
            if record.snapshot_of is not None}
    return [record for index, record in enumerate(records)
            if record.snapshot_of is None or last[(record.topic, record.snapshot_of)] == index]


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
class PartTable(Generic[V, P]):
    """A second table beside the views, for the parts a view sums up (what each order contributed to its customer),
    so that the view stays the same size however many parts it has.

    ``key_of`` names the part an event folds into (``None``: the event folds into the view alone, through the spec's
    ``fold``). The part is read and written while the view's own record is processed, so it lands in that record's
    partition (Faust tables write to the current event's partition, not to a hash of the key) next to its view.
    ``fold`` is given the record's offset in its partition as ``position``: every event with a part key must come
    from one topic, so that positions grow with the records of one view.
    """

    name: str
    part_type: type[P]
    key_of: Callable[[Envelope[Payload]], str | None]
    fold: PartFold[V, P]

    def __post_init__(self) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(self.part_type)

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return self._adapter

    def load(self, raw: dict[str, Any] | None) -> P | None:
        return self._adapter.validate_python(raw) if raw is not None else None

    def dump(self, part: P) -> dict[str, Any]:
        return self._adapter.dump_python(part, mode="json")


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
    parts: PartTable[V, Any] | None = None

    def __post_init__(self) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(self.view_type)

    @property
    def table_name(self) -> str:
        return f"{self.name}-views"

    @property
    def parts_table_name(self) -> str:
        return f"{self.name}-{self.parts.name}" if self.parts else ""

    @property
    def table_names(self) -> list[str]:
        return [self.table_name, self.parts_table_name] if self.parts else [self.table_name]

    def part_key(self, event: Envelope[Payload]) -> str | None:
        return self.parts.key_of(event) if self.parts else None

    def project(self, raw_view: dict[str, Any] | None, event: Envelope[Payload],
                raw_part: dict[str, Any] | None = None, position: int | None = None) -> Projection[dict[str, Any]]:
        """Fold the next event (with the part it names, stored under ``part_key(event)``, and the record's
        ``position``). An event that changes nothing (already folded) re-sends the view's documents and records
        (external versions and newer-wins readers make that harmless), so a crash between the table write and the
        sends loses nothing."""
        view = self._adapter.validate_python(raw_view) if raw_view is not None else None
        part = self.parts.load(raw_part) if self.parts is not None else None
        folded = self.fold_event(view, event, part, position)
        stored_view = self._adapter.dump_python(folded.view, mode="json") if folded.changed else None
        stored_part = None
        if folded.part is not None and self.parts is not None:
            stored_part = PartWrite(folded.part.key, self.parts.dump(folded.part.value))
        return self.rendered(folded, event, stored_view, stored_part)

    def fold_event(self, view: V | None, event: Envelope[Payload], part: Any = None,
                   position: int | None = None) -> FoldResult[V, Any]:
        """``project`` on parsed values: the view and the part are given and returned as objects."""
        key = self.part_key(event)
        if key is None or self.parts is None:
            folded, part_write = self.fold(view, event), None
        elif position is None:
            raise TypeError(f"projection {self.name!r} folds {event.type} with its part {key!r}: give the stored "
                            "part and the record's position")
        else:
            folded, new_part = self.parts.fold(view, part, event, position)
            part_write = PartWrite(key, new_part) if new_part is not None and new_part is not part else None
        changed = view is None or self.version_of(folded) != self.version_of(view)
        return FoldResult(folded, changed, part_write)

    def rendered(self, folded: FoldResult[V, Any], event: Envelope[Payload], view: T | None,
                 part: PartWrite[T] | None) -> Projection[T]:
        """The projection of ``folded``, with the view and the part to store in their stored form."""
        return Projection(
            view=view, actions=self.documents(folded.view, event), records=self.records(folded.view, event), part=part,
        )

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return self._adapter


class Projector(Generic[V]):
    """The projector agent's work on one event without the I/O, on the tables' JSON bytes. The views and parts it
    stored last are kept parsed (``StoredValues``), so folding the next event of a view costs no parsing."""

    def __init__(self, spec: ProjectionSpec[V], cached_values: int = CACHED_VALUES) -> None:
        self.spec = spec
        self._views = _stored_values(spec.adapter, cached_values)
        self._parts = _stored_values(spec.parts.adapter, cached_values) if spec.parts else None

    def project(self, event: Envelope[Payload], stored_view: bytes | None, stored_part: bytes | None = None,
                position: int | None = None) -> Projection[bytes]:
        """``ProjectionSpec.project`` with the view and part stored as JSON bytes."""
        part_key = self.spec.part_key(event)
        part = self._parts.load(part_key, stored_part) if self._parts is not None and part_key is not None else None
        folded = self.spec.fold_event(self._views.load(event.aggregate_id, stored_view), event, part, position)
        stored_view = self._views.dump(event.aggregate_id, folded.view) if folded.changed else None
        stored_part = None
        if folded.part is not None and self._parts is not None:
            stored_part = PartWrite(folded.part.key, self._parts.dump(folded.part.key, folded.part.value))
        return self.spec.rendered(folded, event, stored_view, stored_part)


def _stored_values(adapter: TypeAdapter[Any], size: int) -> StoredValues[Any]:
    return StoredValues(adapter.validate_json, adapter.dump_json, size)
