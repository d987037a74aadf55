"""Projecting events into read views: pure, the one folding path of the live projector loop, the rebuild and the
tests.

``Projectors`` folds a batch of event records into the views (stored through a ``Read`` port) and returns what the
batch asks for: documents to index (each with the record it comes from, so a refused one is dead-lettered with
its origin), records to send on, dead letters and store writes. A view's own documents and records are rendered
once per batch, from the view as the batch leaves it; event documents (timeline entries) once per event.

A view that cannot apply an event is *behind*: an event that fails to fold is dead-lettered once; later events
of that view that cannot follow it are held with the mark (up to ``HELD_EVENTS``, the rest counted), so that
once the missing event arrives (e.g. resent from the dead letters) the view catches up by itself.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from schemas.codec import UndecodableRecord, decode, decode_keyed
from schemas.envelope import Envelope, Payload
from streams.ports import Read
from streams.projection_spec import ProjectionSpec, VersionGap
from streams.records import Consumed, IndexAction, Record, dead_letter_record
from streams.tables import CACHED_VALUES, JsonCodec, ParsedTable

V = TypeVar("V")

HELD_EVENTS = 200


@dataclass(frozen=True)
class Behind:
    """A view that stopped at ``since_version`` because an event could not be applied (``reason``). ``held``: the
    later events of the view, as their JSON, waiting for the missing one; ``not_held``: those beyond the bound,
    which only a rebuild folds."""

    since_version: int
    reason: str
    held: tuple[str, ...] = ()
    not_held: int = 0

    def holding(self, value: bytes) -> "Behind":
        if len(self.held) >= HELD_EVENTS:
            return replace(self, not_held=self.not_held + 1)
        return replace(self, held=(*self.held, value.decode()))

    def document(self) -> dict[str, Any]:
        """What the view's document says of it (``schemas.documents.ViewBehind``)."""
        return {"since_version": self.since_version, "reason": self.reason,
                "waiting_events": len(self.held) + self.not_held}


@dataclass
class Projected:
    """A batch folded."""

    actions: list[tuple[IndexAction, Consumed]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    dead_letters: list[Record] = field(default_factory=list)
    writes: list[tuple[str, int, str, bytes | None]] = field(default_factory=list)
    events: int = 0


@dataclass
class _Tables(Generic[V]):
    views: ParsedTable[V]
    behind: ParsedTable[Behind]
    parts: ParsedTable[Any] | None

    def all(self) -> list[ParsedTable[Any]]:
        return [self.views, self.behind, *([self.parts] if self.parts else [])]


@dataclass(frozen=True)
class _Changed:
    """A view to render at the end of the batch; ``event``: the last event that moved it (``None``: only whether it
    is behind changed)."""

    spec: ProjectionSpec[Any]
    partition: int
    key: str
    origin: Consumed
    event: Envelope[Payload] | None = None


def projector_stores(specs: Iterable[ProjectionSpec[Any]]) -> tuple[str, ...]:
    return tuple(name for spec in specs for name in spec.table_names)


@dataclass(frozen=True)
class Outputs:
    """What a batch renders besides the stores: the live projectors render everything; a rebuild of one index only
    that index's documents."""

    event_documents: bool = True
    view_documents: bool = True
    view_records: bool = True


class Projectors:
    """Every projection over one batch of event records; each topic feeds one projection."""

    def __init__(self, specs: Iterable[ProjectionSpec[Any]], read: Read, cache_size: int = CACHED_VALUES,
                 outputs: Outputs = Outputs()) -> None:
        self.specs = tuple(specs)
        self._outputs = outputs
        self._by_topic: dict[str, ProjectionSpec[Any]] = {}
        for spec in self.specs:
            for topic in spec.topics:
                if topic in self._by_topic:
                    raise ValueError(f"{topic} feeds both {self._by_topic[topic].name} and {spec.name}")
                self._by_topic[topic] = spec
        self._tables = {spec.name: _tables(spec, read, cache_size) for spec in self.specs}

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(self._by_topic)

    def project(self, records: Iterable[Consumed]) -> Projected:
        out = Projected()
        changed: dict[tuple[str, int, str], _Changed] = {}
        for record in records:
            out.events += 1
            self._project_record(record, out, changed)
        for view in changed.values():
            self._render(view, out)
        for tables in self._tables.values():
            for table in tables.all():
                out.writes.extend((table.store, partition, key, value) for partition, key, value in table.changes())
        return out

    def _project_record(self, record: Consumed, out: Projected, changed: dict[tuple[str, int, str], _Changed]) -> None:
        spec = self._by_topic[record.topic]
        try:
            event = decode_keyed(record.key, record.value, spec.event_types)
        except UndecodableRecord as error:
            out.dead_letters.append(dead_letter_record(record, str(error)))
            return
        try:
            self._fold(spec, record, event, out, changed)
        except VersionGap as gap:
            self._fall_behind(spec, record, event.aggregate_id, str(gap), changed, record.value or b"")
            return
        except ValueError as error:
            out.dead_letters.append(dead_letter_record(record, f"{spec.name} view cannot apply {event.type}: {error}"))
            self._fall_behind(spec, record, event.aggregate_id, f"{event.type} v{event.version}: {error}", changed)
            return
        self._catch_up(spec, record, event.aggregate_id, out, changed)

    def _fold(self, spec: ProjectionSpec[Any], record: Consumed, event: Envelope[Payload], out: Projected,
              changed: dict[tuple[str, int, str], _Changed]) -> None:
        """Fold one event into its view (raises when it cannot be applied)."""
        tables = self._tables[spec.name]
        partition, key = record.partition, event.aggregate_id
        part_key = spec.part_key(event)
        part = tables.parts.get(partition, part_key) if tables.parts is not None and part_key is not None else None
        folded = spec.fold_event(tables.views.get(partition, key), event, part, record.offset)
        if folded.part is not None and tables.parts is not None:
            tables.parts.put(partition, *folded.part)
        if folded.changed:
            tables.views.put(partition, key, folded.view)
            changed[(spec.name, partition, key)] = _Changed(spec, partition, key, record, event)
            if self._outputs.event_documents:
                out.actions.extend((action, record) for action in spec.event_documents(folded.view, event))

    def _fall_behind(self, spec: ProjectionSpec[Any], record: Consumed, key: str, reason: str,
                     changed: dict[tuple[str, int, str], _Changed], held: bytes | None = None) -> None:
        tables = self._tables[spec.name]
        behind = tables.behind.get(record.partition, key) or Behind(self._version(spec, record.partition, key), reason)
        tables.behind.put(record.partition, key, behind.holding(held) if held is not None else behind)
        # The view's document says so (at the version it has: the view itself did not move).
        changed.setdefault((spec.name, record.partition, key), _Changed(spec, record.partition, key, record))

    def _version(self, spec: ProjectionSpec[Any], partition: int, key: str) -> int:
        try:
            view = self._tables[spec.name].views.get(partition, key)
        except ValueError:  # a view that cannot be read is behind from the start
            return 0
        return spec.version_of(view) if view is not None else 0

    def _catch_up(self, spec: ProjectionSpec[Any], record: Consumed, key: str, out: Projected,
                  changed: dict[tuple[str, int, str], _Changed]) -> None:
        """After an event a behind view could apply: the held events that now follow, in version order."""
        table = self._tables[spec.name].behind
        behind = table.get(record.partition, key)
        if behind is None:
            return
        waiting = sorted((decode(value.encode(), spec.event_types) for value in behind.held),
                         key=lambda event: event.version or 0)
        reason = behind.reason
        while waiting:
            try:
                self._fold(spec, record, waiting[0], out, changed)
            except VersionGap:
                break
            except ValueError as error:
                reason = f"{waiting[0].type} v{waiting[0].version}: {error}"
                break
            waiting.pop(0)
        if waiting or behind.not_held:
            held = tuple(event.model_dump_json() for event in waiting)
            table.put(record.partition, key, replace(behind, held=held, reason=reason))
        else:
            table.put(record.partition, key, None)

    def _render(self, changed: _Changed, out: Projected) -> None:
        """The view's documents, saying whether it is behind; records only when the view itself moved."""
        tables = self._tables[changed.spec.name]
        try:
            view = tables.views.get(changed.partition, changed.key)
        except ValueError:  # a view that cannot be read (see ``_version``) has no document to render
            return
        if view is None:
            return
        behind = tables.behind.get(changed.partition, changed.key)
        for action in changed.spec.view_documents(view) if self._outputs.view_documents else ():
            if action.doc_id == changed.key:
                document = {**action.document, "behind": behind.document() if behind else None}
                action = IndexAction(action.index, action.doc_id, action.version, document,
                                     same_version=changed.event is None)
            out.actions.append((action, changed.origin))
        if changed.event is not None and self._outputs.view_records:
            out.records.extend(changed.spec.view_records(view, changed.event))

    def committed(self) -> None:
        for tables in self._tables.values():
            for table in tables.all():
                table.commit()

    def discarded(self) -> None:
        for tables in self._tables.values():
            for table in tables.all():
                table.discard()

    def forget(self, partitions: set[int]) -> None:
        for tables in self._tables.values():
            for table in tables.all():
                table.forget(partitions)

    def behind(self, spec_name: str, partition: int, key: str) -> Behind | None:
        """Whether a view is behind, and why (``None``: it is not)."""
        return self._tables[spec_name].behind.get(partition, key)


def _tables(spec: ProjectionSpec[Any], read: Read, cache_size: int) -> _Tables[Any]:
    parts: ParsedTable[Any] | None = None
    if spec.parts:
        parts = ParsedTable(spec.parts_table_name, read, JsonCodec(spec.parts.part_type), cache_size)
    return _Tables(
        views=ParsedTable(spec.table_name, read, JsonCodec(spec.view_type), cache_size),
        behind=ParsedTable(spec.behind_table_name, read, JsonCodec(Behind), cache_size),
        parts=parts,
    )
