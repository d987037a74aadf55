"""Timeline requests and pages: one order's events, oldest first, paged by version."""

from typing import Any

from query_api.timeline import timeline, timeline_body


def event_hit(version: int, **source: Any) -> dict[str, Any]:
    return {"_source": {"version": version, "occurred_at": "2026-01-01T10:00:00Z", "type": "ItemAdded",
                        "actor": "shop", "status": None, "payload": {"quantity": version}, **source}}


def result(total: int, *hits: dict[str, Any]) -> dict[str, Any]:
    return {"hits": {"total": {"value": total}, "hits": list(hits)}}


def test_the_body_filters_on_the_order_id_as_a_term_value_and_sorts_by_version() -> None:
    hostile = 'ORD-1"} , {"match_all": {}'
    body = timeline_body(hostile, 50)
    assert body["query"] == {"bool": {"filter": [{"term": {"order_id": hostile}}]}}
    assert body["sort"] == [{"version": "asc"}]
    assert (body["size"], body["track_total_hits"]) == (50, True)
    assert "search_after" not in body


def test_a_later_page_starts_after_a_version() -> None:
    assert timeline_body("ORD-1", 10, after_version=10)["search_after"] == [10]


def test_entries_carry_the_status_they_set_and_the_payload_as_changes() -> None:
    page = timeline("ORD-1", result(2, event_hit(1, type="OrderCreated", status="DRAFT"),
                                    event_hit(2, type="OrderCancelled", status="CANCELLED", payload={"reason": "late"})), 10)
    assert [(entry.version, entry.type, entry.status) for entry in page.events] == [
        (1, "OrderCreated", "DRAFT"), (2, "OrderCancelled", "CANCELLED")]
    assert page.events[1].changes == {"reason": "late"}
    assert (page.order_id, page.total, page.next_after_version) == ("ORD-1", 2, None)


def test_a_full_page_with_more_events_names_where_the_next_starts() -> None:
    page = timeline("ORD-1", result(5, event_hit(1), event_hit(2)), 2)
    assert page.next_after_version == 2


def test_a_full_last_page_has_no_next() -> None:
    assert timeline("ORD-1", result(4, event_hit(3), event_hit(4)), 2).next_after_version is None
