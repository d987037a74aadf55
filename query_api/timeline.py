"""An order's events in version order, read from the ``order-events`` index."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from query_api.answers import SearchAnswer

MAX_TIMELINE_PAGE = 1000


class TimelineEntry(BaseModel):
    version: int
    occurred_at: datetime
    type: str = Field(description="Event type, e.g. OrderSubmitted")
    actor: str
    status: str | None = Field(None, description="The status this event moved the order to; null if it set none")
    changes: dict[str, Any] = Field(description="What the event changed: its payload")


class Timeline(BaseModel):
    order_id: str
    events: list[TimelineEntry]
    total: int = Field(description="Events of this order indexed so far (versions run 1..n without gaps)")
    next_after_version: int | None = Field(
        None, description=f"More events follow: pass this as after_version (pages hold at most {MAX_TIMELINE_PAGE})")
    stale: bool = Field(False, description="min_version was asked for and not reached in time")


def timeline_body(order_id: str, size: int, after_version: int = 0) -> dict[str, Any]:
    """Events of one order after ``after_version``, oldest first; ``total`` still counts all of them."""
    body: dict[str, Any] = {
        "query": {"bool": {"filter": [{"term": {"order_id": order_id}}]}},
        "sort": [{"version": "asc"}],
        "size": size,
        "track_total_hits": True,
        "_source": ["version", "occurred_at", "type", "actor", "status", "payload"],
    }
    if after_version:
        body["search_after"] = [after_version]
    return body


def timeline_entry(source: dict[str, Any]) -> TimelineEntry:
    return TimelineEntry(version=source["version"], occurred_at=source["occurred_at"], type=source["type"],
                         actor=source["actor"], status=source.get("status"), changes=source.get("payload") or {})


def timeline(order_id: str, result: SearchAnswer, size: int) -> Timeline:
    hits = result["hits"]["hits"]
    events = [timeline_entry(hit["_source"]) for hit in hits]
    total = result["hits"]["total"]["value"]
    more = len(events) == size and events[-1].version < total
    return Timeline(order_id=order_id, events=events, total=total,
                    next_after_version=events[-1].version if more else None)
