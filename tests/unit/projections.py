"""Folding a run of events through a projection spec, as the projector agent does."""

from collections.abc import Callable, Iterable
from typing import Any

from schemas.envelope import Envelope, Payload
from streams.projecting import Projection, ProjectionSpec


def project_events(
    spec: ProjectionSpec[Any], events: Iterable[Envelope[Payload]], parts: dict[str, Any] | None = None,
    view: Any = None, first_position: int = 0, project: Callable[..., Projection[Any]] | None = None,
) -> tuple[Any, list[Projection[Any]]]:
    """The stored view after all ``events`` (folded into ``view``) and what each event asked for. The events are
    the records at the positions from ``first_position`` on; the spec's parts are kept in ``parts`` (pass a dict to
    see or preset them). ``project(view, event, part, position)`` is ``spec.project`` unless given."""
    parts = {} if parts is None else parts
    project = project or spec.project
    projections: list[Projection[Any]] = []
    for position, event in enumerate(events, start=first_position):
        key = spec.part_key(event)
        projection = project(view, event, parts.get(key) if key else None, position)
        view = projection.view or view
        if projection.part is not None:
            parts[projection.part.key] = projection.part.value
        projections.append(projection)
    return view, projections
