"""What the stock tells an order about its lines: recorded while the order holds stock, newest news only."""

import pytest

from domain.order import LineStock, OrderStatus, decide, evolve
from schemas.orders import BackorderRecorded, OrderCancelled, RecordBackorder
from tests.unit.builders import FIRST_LINE, ORDER_ID, accepted, line, order_in, run_order


def news(reserved: int = 0, backordered: int = 2, stock_version: int = 3, product_id: str = FIRST_LINE.product_id
         ) -> RecordBackorder:
    return RecordBackorder(order_id=ORDER_ID, product_id=product_id, reserved=reserved, backordered=backordered,
                           stock_version=stock_version)


@pytest.mark.parametrize("status", [OrderStatus.SUBMITTED, OrderStatus.CONFIRMED])
def test_a_short_line_is_recorded_while_the_order_holds_stock(status: OrderStatus) -> None:
    assert accepted(decide(order_in(status), news(reserved=1, backordered=1))) == [
        BackorderRecorded(product_id=FIRST_LINE.product_id, reserved=1, backordered=1, stock_version=3),
    ]


@pytest.mark.parametrize("status", [OrderStatus.DRAFT, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED])
def test_an_order_not_holding_stock_records_nothing(status: OrderStatus) -> None:
    assert accepted(decide(order_in(status), news())) == []


def test_a_line_reserved_in_full_at_once_records_nothing() -> None:
    assert accepted(decide(order_in(OrderStatus.SUBMITTED), news(reserved=2, backordered=0))) == []


def test_a_product_not_in_the_order_records_nothing() -> None:
    assert accepted(decide(order_in(OrderStatus.SUBMITTED), news(product_id="P-OTHER"))) == []


def test_a_filled_backorder_is_recorded_and_clears_the_line() -> None:
    short = run_order(order_in(OrderStatus.SUBMITTED), news(backordered=2, stock_version=3))
    filled = run_order(short, news(reserved=2, backordered=0, stock_version=5))
    assert filled.line_stock == {FIRST_LINE.product_id: LineStock(reserved=2, backordered=0, stock_version=5)}
    assert filled.backordered(FIRST_LINE.product_id) == 0
    assert filled.version == short.version + 1


@pytest.mark.parametrize(
    "late",
    [news(backordered=2, stock_version=3), news(reserved=1, backordered=1, stock_version=2),
     news(reserved=2, backordered=0, stock_version=7)],
    ids=["the-same-news-again", "older-news", "newer-news-saying-the-same"],
)
def test_news_that_is_not_newer_or_changes_nothing_records_nothing(late: RecordBackorder) -> None:
    recorded = run_order(order_in(OrderStatus.SUBMITTED), news(backordered=2, stock_version=3),
                         news(reserved=2, backordered=0, stock_version=6))
    assert accepted(decide(recorded, late)) == []


def test_backorders_count_per_line_and_only_while_the_order_holds_stock() -> None:
    two_lines = order_in(OrderStatus.SUBMITTED, FIRST_LINE, line("P-2", quantity=5))
    short = run_order(two_lines, news(backordered=2), news(reserved=1, backordered=4, product_id="P-2"))
    assert [short.backordered(item.product_id) for item in short.items] == [2, 4]
    cancelled = evolve(short, OrderCancelled(reason="changed my mind", previous_status="SUBMITTED"))
    assert [cancelled.backordered(item.product_id) for item in cancelled.items] == [0, 0]

