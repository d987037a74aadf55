"""Request-scoped pieces shared by the query routes, as Annotated dependency aliases."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Header, HTTPException, Path, Query, Request, Response

from ops.web.auth import require
from ops.web.errors import field_error
from query_api.freshness import MIN_VERSION_WAIT_S, STALE_HEADER, Read

# Every query route needs the ``read`` scope (when API keys are configured).
READER = Depends(require("read"))


def get_es(request: Request) -> AsyncElasticsearch:
    return request.app.state.es


Search = Annotated[AsyncElasticsearch, Depends(get_es)]
OrderId = Annotated[str, Path(min_length=1, max_length=64)]


def bad_parameter(name: str, reason: str) -> HTTPException:
    return HTTPException(422, detail=[field_error(("query", name), reason)])


def not_found(what: str) -> HTTPException:
    return HTTPException(404, detail=f"{what} not found")


def as_utc(moment: datetime | None) -> datetime | None:
    """A datetime without a zone is read as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None


def created_window(
    created_from: Annotated[datetime | None, Query(alias="from", description="Created at or after (ISO 8601; UTC if no zone)")] = None,
    created_to: Annotated[datetime | None, Query(alias="to", description="Created at or before (ISO 8601; UTC if no zone)")] = None,
) -> Window:
    window = Window(as_utc(created_from), as_utc(created_to))
    if window.start and window.end and window.start > window.end:
        raise bad_parameter("from", "must not be after to")
    return window


CreatedWindow = Annotated[Window, Depends(created_window)]


def min_version(
    min_version: Annotated[int | None, Query(ge=1, description="Wait briefly until the order reached this version")] = None,
    x_min_version: Annotated[int | None, Header(ge=1, description="Same as min_version; the higher of the two counts")] = None,
) -> int | None:
    given = [version for version in (min_version, x_min_version) if version is not None]
    return max(given) if given else None


MinVersion = Annotated[int | None, Depends(min_version)]

READ_YOUR_WRITES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": f"With min_version: the order at that version or later, or, after waiting up to "
                       f"{MIN_VERSION_WAIT_S:g} s, what is indexed so far with `stale: true` and the header "
                       f"`{STALE_HEADER}: true`.",
        "headers": {STALE_HEADER: {"description": "`true` when min_version was not reached in time",
                                   "schema": {"type": "string", "enum": ["true"]}}},
    },
    404: {"description": "Unknown order (also after waiting for min_version)"},
}


def found_or_404(read: Read[Any], response: Response, what: str) -> Any:
    """What ``read`` found; marks ``response`` stale when it is, 404 when nothing was found."""
    if read.found is None:
        raise not_found(what)
    if read.stale:
        response.headers[STALE_HEADER] = "true"
    return read.found
