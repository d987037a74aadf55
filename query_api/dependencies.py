"""Request-scoped pieces shared by the query routes, as Annotated dependency aliases."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Header, HTTPException, Path, Query, Request, Response
from pydantic import AfterValidator, Field

from common.web.auth import require
from common.web.errors import field_error
from query_api.freshness import MIN_VERSION_WAIT_S, STALE_HEADER, Read

# Every query route needs the ``read`` scope (when API keys are configured).
READER = Depends(require("read"))


def get_es(request: Request) -> AsyncElasticsearch:
    return request.app.state.es


Search = Annotated[AsyncElasticsearch, Depends(get_es)]
OrderId = Annotated[str, Path(min_length=1, max_length=64)]

# Versions are stored as Elasticsearch longs.
MAX_VERSION = 2**63 - 1
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
# What a total may be: money as the orders hold it (at most 999,999,999,999.99, in cents).
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
OUT_OF_RANGE = f"must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)"


def bad_parameter(name: str, reason: str) -> HTTPException:
    return HTTPException(422, detail=[field_error(("query", name), reason)])


def not_found(what: str) -> HTTPException:
    return HTTPException(404, detail=f"{what} not found")


def in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC (read as UTC without a zone); ``ValueError`` unless it lies in ``EARLIEST..LATEST``."""
    try:
        utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError(OUT_OF_RANGE) from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(OUT_OF_RANGE)
    return utc


Moment = Annotated[datetime, AfterValidator(in_utc)]


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None


def created_window(
    created_from: Annotated[Moment | None, Query(
        alias="from", description=f"Created at or after (ISO 8601; UTC if no zone); {OUT_OF_RANGE}")] = None,
    created_to: Annotated[Moment | None, Query(
        alias="to", description=f"Created at or before (ISO 8601; UTC if no zone); {OUT_OF_RANGE}")] = None,
) -> Window:
    window = Window(created_from, created_to)
    if window.start and window.end and window.start > window.end:
        raise bad_parameter("from", "must not be after to")
    return window


CreatedWindow = Annotated[Window, Depends(created_window)]


def min_version(
    min_version: Annotated[Version | None, Query(description="Wait briefly until the order reached this version")] = None,
    x_min_version: Annotated[Version | None, Header(description="Same as min_version; the higher of the two counts")] = None,
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
