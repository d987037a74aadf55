"""The groups of order statuses (domain.statuses) are what the README says, and the places that name them use them."""

from pathlib import Path

from domain.order import OrderStatus
from domain.statuses import HOLDING_STOCK, NOT_PLACED, PAYABLE, PLACED, SHIPPED_OR_LATER
from query_api.stats import NOT_REVENUE
from schemas.mappings import ORDER_STATUSES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
DRAFT, SUBMITTED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED = OrderStatus


def _words(statuses: tuple[OrderStatus, ...], joint: str) -> str:
    return f" {joint} ".join(statuses)


def test_every_status_is_placed_or_not_but_not_both() -> None:
    assert set(PLACED) | set(NOT_PLACED) == set(OrderStatus)
    assert not set(PLACED) & set(NOT_PLACED)


def test_placed_orders_are_neither_draft_nor_cancelled() -> None:
    # README, Queries: customers' placed_orders, total_spent, average and favourites.
    assert NOT_PLACED == (DRAFT, CANCELLED)
    assert PLACED == (SUBMITTED, CONFIRMED, SHIPPED, DELIVERED)
    assert f"count placed orders only, neither {_words(NOT_PLACED, 'nor')}." in README


def test_revenue_leaves_out_the_orders_that_are_not_placed() -> None:
    # README, Queries: statistics; the stats answer lists them in this order.
    assert NOT_REVENUE == ("DRAFT", "CANCELLED")
    assert all(type(status) is str for status in NOT_REVENUE)  # plain strings in the query and the answer
    assert f"revenue, average and top products leave out {_words(NOT_PLACED, 'and')} orders" in README


def test_submitted_and_confirmed_orders_hold_stock_and_take_payments() -> None:
    # README, Inventory and reservations; error codes payment_not_allowed and already_shipped.
    assert HOLDING_STOCK == (SUBMITTED, CONFIRMED)
    assert "cancelling a submitted or confirmed order releases what it held" in README
    assert PAYABLE == (SUBMITTED, CONFIRMED)
    assert f"| RecordPayment | the order is not {_words(PAYABLE, 'or')} |" in README
    assert SHIPPED_OR_LATER == (SHIPPED, DELIVERED)
    assert f"| CancelOrder | the order is {_words(SHIPPED_OR_LATER, 'or')} |" in README


def test_the_mappings_count_every_status() -> None:
    assert ORDER_STATUSES == tuple(status.value for status in OrderStatus)
    assert all(type(status) is str for status in ORDER_STATUSES)


def test_a_status_read_as_text_is_found_in_its_group() -> None:
    # Events and order summaries carry the status as a plain string (previous_status, summary.status).
    assert "SUBMITTED" in HOLDING_STOCK and "DRAFT" in NOT_PLACED and "SHIPPED" not in NOT_PLACED
