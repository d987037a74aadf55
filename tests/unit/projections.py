"""Folding a run of events through a projection spec, as the projector agent does."""

from collections.abc import Iterable
from typing import Any

from schemas.envelope import Envelope, Payload
from streams.projecting import Projection, ProjectionSpec


def project_events(
    spec: ProjectionSpec[Any], events: Iterable[Envelope[Payload]]
) -> tuple[dict[str, Any] | None, list[Projection]]:
    """The stored view after all ``events`` and what each event asked for."""
    view: dict[str, Any] | None = None
    projections: list[Projection] = []
    for event in events:
        projection = spec.project(view, event)
        view = projection.view or view
        projections.append(projection)
    return view, projections
