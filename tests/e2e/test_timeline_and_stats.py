"""Timelines, read-your-writes and order statistics over orders put through the command API."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.e2e.ordering import CONFIRM, SUBMIT, cancel, line, place_order, step
from tests.support import eventually, unique_id

PAYMENT = ("payments", {"amount": "10.00", "method": "card", "reference": "PAY-1"})


def test_the_timeline_lists_every_event_in_version_order(commands: httpx.Client, queries: httpx.Client) -> None:
    reason = f"ordered twice {unique_id('R')}"
    order_id, version = place_order(commands, unique_id("C-T"), [line("P-1", "Lamp", 1, "20.00")],
                                    [("items", line("P-2", "Bulb", 3, "2.50")), SUBMIT, PAYMENT, cancel(reason)])
    response = queries.get(f"/orders/{order_id}/timeline", params={"min_version": version})
    assert response.status_code == 200 and "X-Stale" not in response.headers
    timeline = response.json()
    assert (timeline["order_id"], timeline["total"], timeline["stale"], timeline["next_after_version"]) == (
        order_id, 6, False, None)
    assert [(event["version"], event["type"], event["status"]) for event in timeline["events"]] == [
        (1, "OrderCreated", "DRAFT"), (2, "ItemAdded", None), (3, "ItemAdded", None),
        (4, "OrderSubmitted", "SUBMITTED"), (5, "PaymentRecorded", None), (6, "OrderCancelled", "CANCELLED")]
    assert timeline["events"][2]["changes"]["product_name"] == "Bulb"
    assert timeline["events"][5]["changes"]["reason"] == reason
    assert all(event["actor"] and event["occurred_at"].endswith("Z") for event in timeline["events"])


def test_the_timeline_pages_by_version(commands: httpx.Client, queries: httpx.Client) -> None:
    order_id, version = place_order(commands, unique_id("C-T"), [line("P-1", "Lamp", 1, "20.00")], [SUBMIT, CONFIRM])
    first = queries.get(f"/orders/{order_id}/timeline", params={"min_version": version, "size": 3}).json()
    assert [event["version"] for event in first["events"]] == [1, 2, 3]
    assert first["next_after_version"] == 3
    rest = queries.get(f"/orders/{order_id}/timeline", params={"after_version": 3, "size": 3}).json()
    assert [event["version"] for event in rest["events"]] == [4]
    assert (rest["total"], rest["next_after_version"]) == (4, None)


def test_a_read_with_min_version_sees_the_write_just_made(commands: httpx.Client, queries: httpx.Client) -> None:
    order_id, _ = place_order(commands, unique_id("C-T"), [line("P-1", "Lamp", 1, "20.00")])
    for attempt in range(3):
        version = step(commands, order_id, ("items", line(f"P-{attempt + 2}", "Bulb", 1, "2.50")))
        by_query = queries.get(f"/orders/{order_id}", params={"min_version": version})
        by_header = queries.get(f"/orders/{order_id}", headers={"X-Min-Version": str(version)})
        for response in (by_query, by_header):
            assert response.status_code == 200 and "X-Stale" not in response.headers
            assert (response.json()["version"], response.json()["stale"]) == (version, False)


def test_a_version_not_reached_in_time_answers_what_there_is_marked_stale(
    commands: httpx.Client, queries: httpx.Client
) -> None:
    order_id, version = place_order(commands, unique_id("C-T"), [line("P-1", "Lamp", 1, "20.00")])
    for path in (f"/orders/{order_id}", f"/orders/{order_id}/timeline"):
        response = queries.get(path, params={"min_version": version + 5})
        assert response.status_code == 200
        assert response.headers["X-Stale"] == "true" and response.json()["stale"] is True
    assert queries.get(f"/orders/{order_id}", params={"min_version": version + 5}).json()["version"] == version


def test_min_version_of_an_unknown_order_is_404(queries: httpx.Client) -> None:
    assert queries.get(f"/orders/{unique_id('ORD-NONE')}", params={"min_version": 1}).status_code == 404


def stats_of(queries: httpx.Client, customer_id: str, started: datetime) -> dict[str, Any]:
    params = {"customer_id": customer_id, "interval": "hour", "from": (started - timedelta(hours=1)).isoformat(),
              "to": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    response = queries.get("/stats/orders", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_stats_count_and_sum_one_customers_orders(commands: httpx.Client, queries: httpx.Client) -> None:
    customer_id = unique_id("C-S")
    pen, desk, clip = (f"P-{customer_id}-{name}" for name in ("PEN", "DESK", "CLIP"))
    started = datetime.now(UTC)
    place_order(commands, customer_id, [line(pen, "Pen", 2, "10.00"), line(desk, "Desk", 1, "30.00")], [SUBMIT])
    place_order(commands, customer_id, [line(pen, "Pen", 3, "10.00")], [SUBMIT, CONFIRM])
    place_order(commands, customer_id, [line(desk, "Desk", 1, "30.00")])
    place_order(commands, customer_id, [line(clip, "Clip", 5, "1.00")], [SUBMIT, cancel("not needed")])
    expected_statuses = {"DRAFT": 1, "SUBMITTED": 1, "CONFIRMED": 1, "SHIPPED": 0, "DELIVERED": 0, "CANCELLED": 1}

    def projected() -> dict[str, Any] | None:
        found = stats_of(queries, customer_id, started)
        return found if found["orders_by_status"] == expected_statuses else None

    stats = eventually(projected)
    assert (stats["total_orders"], stats["revenue_orders"]) == (4, 2)
    assert (stats["revenue"], stats["average_order_value"]) == ("80.00", "40.00")
    assert stats["revenue_excludes"] == ["DRAFT", "CANCELLED"]
    assert [(p["product_id"], p["product_name"], p["quantity"], p["revenue"]) for p in stats["top_products_by_quantity"]] == [
        (pen, "Pen", 5, "50.00"), (desk, "Desk", 1, "30.00")]
    assert [p["product_id"] for p in stats["top_products_by_revenue"]] == [pen, desk]
    buckets = stats["over_time"]
    starts = [datetime.fromisoformat(bucket["start"]) for bucket in buckets]
    assert all(later - earlier == timedelta(hours=1) for earlier, later in zip(starts, starts[1:], strict=False))
    assert len(buckets) >= 3
    assert sum(bucket["orders"] for bucket in buckets) == 4
    assert sum(Decimal(bucket["revenue"]) for bucket in buckets) == Decimal("80.00")


def test_stats_refuse_bad_parameters(queries: httpx.Client) -> None:
    for params, field in (({"interval": "year"}, "interval"), ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
                          ({"from": "2020-01-01", "to": "2026-01-01", "interval": "hour"}, "interval")):
        response = queries.get("/stats/orders", params=params)
        assert response.status_code == 422, response.text
        assert [error["field"] for error in response.json()["detail"]] == [field]


def test_the_query_api_reports_latency_projector_lag_and_the_newest_event(
    commands: httpx.Client, queries: httpx.Client
) -> None:
    order_id, version = place_order(commands, unique_id("C-M"), [line("P-1", "Lamp", 1, "20.00")])
    timeline = queries.get(f"/orders/{order_id}/timeline", params={"min_version": version}).json()
    last_event = datetime.fromisoformat(timeline["events"][-1]["occurred_at"]).timestamp()
    text = queries.get("/metrics").text
    assert 'orderflow_projector_lag_records{partition="0",topic="orders.events"}' in text
    newest = next(float(row.split()[1]) for row in text.splitlines()
                  if row.startswith("orderflow_last_indexed_event_timestamp_seconds "))
    assert last_event - 0.001 <= newest <= datetime.now(UTC).timestamp()
    assert 'route="/orders/{order_id}/timeline",status="200"' in text
