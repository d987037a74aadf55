"""Stats requests use only core aggregations, and their answers come back as counts and decimal strings."""

from datetime import UTC, datetime
from typing import Any

import pytest

from query_api.stats import MAX_PRODUCTS, Interval, StatsQuery, TooManyBuckets, check_buckets, stats_body
from query_api.stats_report import order_stats

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
CORE_AGGREGATIONS = {"terms", "date_histogram", "sum", "avg", "nested", "filter", "range", "cardinality"}


def aggregation_kinds(aggs: dict[str, Any]) -> set[str]:
    kinds: set[str] = set()
    for spec in aggs.values():
        kinds |= {key for key in spec if key != "aggs"}
        kinds |= aggregation_kinds(spec.get("aggs", {}))
    return kinds


def test_only_aggregations_the_integ_test_zip_has() -> None:
    assert aggregation_kinds(stats_body(StatsQuery())["aggs"]) <= CORE_AGGREGATIONS


def test_window_and_customer_are_filters_with_the_text_as_a_value() -> None:
    hostile = 'C-1"}}, {"script": {"source": "x"'
    body = stats_body(StatsQuery(created_from=JAN, created_to=FEB, customer_id=hostile))
    assert body["query"]["bool"]["filter"] == [
        {"range": {"created_at": {"gte": "2026-01-01T00:00:00+00:00", "lte": "2026-02-01T00:00:00+00:00"}}},
        {"term": {"customer_id": hostile}},
    ]
    assert body["size"] == 0


def test_revenue_leaves_out_draft_and_cancelled_orders_everywhere() -> None:
    aggs = stats_body(StatsQuery())["aggs"]
    leave_out = {"bool": {"must_not": [{"terms": {"status": ["DRAFT", "CANCELLED"]}}]}}
    assert aggs["earning"]["filter"] == leave_out
    assert aggs["over_time"]["aggs"]["earning"]["filter"] == leave_out
    assert aggs["earning"]["aggs"]["revenue"] == {"sum": {"field": "total_amount"}}
    assert aggs["earning"]["aggs"]["items"]["nested"] == {"path": "items"}


def test_the_histogram_covers_the_whole_window_with_empty_intervals() -> None:
    spec = stats_body(StatsQuery(created_from=JAN, created_to=FEB, interval="week"))["aggs"]["over_time"]["date_histogram"]
    assert spec == {"field": "created_at", "calendar_interval": "week", "time_zone": "UTC", "min_doc_count": 0,
                    "extended_bounds": {"min": "2026-01-01T00:00:00+00:00", "max": "2026-02-01T00:00:00+00:00"}}
    assert "extended_bounds" not in stats_body(StatsQuery())["aggs"]["over_time"]["date_histogram"]


def test_every_product_of_the_window_is_summed_on_every_shard() -> None:
    terms = stats_body(StatsQuery(top=3))["aggs"]["earning"]["aggs"]["items"]["aggs"]["products"]
    assert terms["terms"] == {"field": "items.product_id", "size": MAX_PRODUCTS, "shard_size": MAX_PRODUCTS}
    assert terms["aggs"]["quantity"] == {"sum": {"field": "items.quantity"}}
    assert terms["aggs"]["revenue"] == {"sum": {"field": "items.line_total"}}


def test_the_total_is_counted_by_the_status_aggregation_not_again_as_hits() -> None:
    assert stats_body(StatsQuery())["track_total_hits"] is False


def test_a_window_of_too_many_intervals_is_refused() -> None:
    check_buckets(StatsQuery(created_from=JAN, created_to=FEB, interval="hour"))
    with pytest.raises(TooManyBuckets):
        check_buckets(StatsQuery(created_from=JAN, created_to=datetime(2026, 3, 15, tzinfo=UTC), interval="hour"))


def product(product_id: str, name: str, quantity: float, revenue: float) -> dict[str, Any]:
    return {"key": product_id, "quantity": {"value": quantity}, "revenue": {"value": revenue},
            "name": {"buckets": [{"key": name, "doc_count": 1}]}}


RESULT = {
    "hits": {"total": {"value": 0, "relation": "gte"}},  # not tracked: the status counts say it
    "aggregations": {
        "status": {"buckets": [{"key": "SUBMITTED", "doc_count": 2}, {"key": "DRAFT", "doc_count": 1},
                               {"key": "CANCELLED", "doc_count": 1}]},
        "over_time": {"buckets": [
            {"key": 1767225600000, "doc_count": 4, "earning": {"doc_count": 2, "revenue": {"value": 0.1 + 0.2}}},
            {"key": 1767312000000, "doc_count": 0, "earning": {"doc_count": 0, "revenue": {"value": 0.0}}},
        ]},
        "earning": {"doc_count": 2, "revenue": {"value": 30.010000000000002}, "items": {"products": {"buckets": [
            product("P-2", "Desk", 1.0, 20.01), product("P-1", "Pen", 5.0, 10.0)]}}},
    },
}


def test_the_answer_has_every_status_and_money_in_cents() -> None:
    stats = order_stats(StatsQuery(interval="day"), RESULT).model_dump(mode="json", by_alias=True)
    assert stats["orders_by_status"] == {"DRAFT": 1, "SUBMITTED": 2, "CONFIRMED": 0, "SHIPPED": 0, "DELIVERED": 0,
                                         "CANCELLED": 1}
    assert (stats["total_orders"], stats["revenue_orders"], stats["revenue"]) == (4, 2, "30.01")
    assert stats["average_order_value"] == "15.00"
    assert stats["over_time"] == [
        {"start": "2026-01-01T00:00:00Z", "orders": 4, "revenue_orders": 2, "revenue": "0.30"},
        {"start": "2026-01-02T00:00:00Z", "orders": 0, "revenue_orders": 0, "revenue": "0.00"},
    ]
    pen = {"product_id": "P-1", "product_name": "Pen", "quantity": 5, "revenue": "10.00"}
    desk = {"product_id": "P-2", "product_name": "Desk", "quantity": 1, "revenue": "20.01"}
    assert stats["top_products_by_quantity"] == [pen, desk]
    assert stats["top_products_by_revenue"] == [desk, pen]
    assert stats["revenue_excludes"] == ["DRAFT", "CANCELLED"]


def test_no_earning_order_has_no_average() -> None:
    empty = {"doc_count": 0, "revenue": {"value": 0.0}, "items": {"products": {"buckets": []}}}
    result = {"hits": {"total": {"value": 0}},
              "aggregations": {"status": {"buckets": []}, "over_time": {"buckets": []}, "earning": empty}}
    stats = order_stats(StatsQuery(), result)
    assert stats.average_order_value is None and str(stats.revenue) == "0.00"


@pytest.mark.parametrize("interval", ["1m", "1h", "1d", "1w", "1M", "1q", "1y", "hour", "day", "week", "month"])
def test_every_calendar_interval_goes_to_the_histogram_as_given(interval: Interval) -> None:
    spec = stats_body(StatsQuery(interval=interval))["aggs"]["over_time"]["date_histogram"]
    assert spec["calendar_interval"] == interval


@pytest.mark.parametrize(("interval", "allowed_to", "refused_to"), [
    ("1m", datetime(2026, 1, 1, 16, 39, tzinfo=UTC), datetime(2026, 1, 1, 16, 40, tzinfo=UTC)),
    ("1h", datetime(2026, 2, 11, 15, tzinfo=UTC), datetime(2026, 2, 11, 16, tzinfo=UTC)),
    ("1q", datetime(2270, 1, 1, tzinfo=UTC), datetime(2300, 1, 1, tzinfo=UTC)),
])
def test_the_short_units_count_intervals_like_the_words(interval: Interval, allowed_to: datetime, refused_to: datetime) -> None:
    check_buckets(StatsQuery(created_from=JAN, created_to=allowed_to, interval=interval))
    with pytest.raises(TooManyBuckets, match=f"intervals of {interval}"):
        check_buckets(StatsQuery(created_from=JAN, created_to=refused_to, interval=interval))


@pytest.mark.parametrize(("by", "expected"), [
    ("quantity", ["P-B", "P-C", "P-A"]),  # P-B and P-C tie on quantity: by product id
    ("revenue", ["P-A", "P-C", "P-B"]),
])
def test_top_products_are_ranked_by_their_own_sum_then_by_id_and_cut_to_top(by: str, expected: list[str]) -> None:
    buckets = [product("P-A", "Lamp", 1.0, 90.0), product("P-C", "Desk", 7.0, 50.0), product("P-B", "Pen", 7.0, 3.5),
               product("P-D", "Ink", 0.0, 0.0)]
    result = {"aggregations": {"status": {"buckets": [{"key": "SUBMITTED", "doc_count": 4}]},
                               "over_time": {"buckets": []},
                               "earning": {"doc_count": 4, "revenue": {"value": 143.5},
                                           "items": {"products": {"buckets": buckets}}}}}
    stats = order_stats(StatsQuery(top=3), result)
    ranked = stats.top_products_by_quantity if by == "quantity" else stats.top_products_by_revenue
    assert [each.product_id for each in ranked] == expected
