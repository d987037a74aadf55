"""The customer read view: who the customer is and what their orders add up to. Pure.

The view holds aggregates only (orders by status, whose sum is every order of the customer; for the placed orders,
neither DRAFT nor CANCELLED: their number, the money spent and the totals per product; the first and last time an
order was submitted), so it keeps the same size however many orders the customer has. What each order last added
to it is kept apart, one ``OrderContributions`` per order in a second table (key ``<customer_id>/<order_id>``): a
newer summary of an order takes the order's previous contribution out of the view and puts the new one in
(``apply_summary``).

Order summaries and customer events reach the view in any order relative to each other: a summary counts only
when its ``order_version`` is newer than the order's last contribution, customer events fold in version order. The
view's ``version`` (the customer's version plus every order's latest version) therefore grows with each change,
never moves back, and ends at the same number however the facts were interleaved.

The view and an order's contribution are two store keys, written in the same transaction as the offsets of the
records that changed them: after a crash both come back as of the same batch. The view keeps the position
(partition offset) of the last summary it took and an order's contribution the position of the summary that made
it, so a summary read again (``orderflow reset-views`` keeps nothing, but a summary's topic may be read again)
changes nothing.

Per product the view keeps what the placed orders bought, for the favourites: the ``TRACKED_PRODUCTS`` bought in the
largest quantities. A customer of more distinct products than that loses the least bought ones (they could only
become favourites again if most of the tracked ones were cancelled), so the view stays bounded however many
different products the customer buys.
"""

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from pydantic import ConfigDict

from domain.customer import Customer, evolve
from domain.statuses import NOT_PLACED
from domain.values import changed
from schemas.customers import OrderSummary
from schemas.documents import CustomerDocument, FavouriteProduct
from schemas.envelope import Envelope, Payload
from schemas.mappings import CUSTOMERS, ORDER_STATUSES
from schemas.money import Money, quantize
from streams.projection_spec import in_sequence
from streams.records import IndexAction

FAVOURITES = 5
TRACKED_PRODUCTS = 200
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Bought:
    """What one order, or all counted orders of a customer, bought of one product, named as in the order submitted
    at ``named_at`` (for a customer: the latest submitted of them)."""

    name: str
    quantity: int
    revenue: Money
    named_at: datetime | None = None


@dataclass(frozen=True)
class Contribution:
    """What one order adds to its customer's view at ``order_version``; money and products only when counted."""

    order_version: int
    status: str
    counted: bool = False
    total: Money = ZERO
    submitted_at: datetime | None = None
    products: dict[str, Bought] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    position: int
    contribution: Contribution


@dataclass(frozen=True)
class OrderContributions:
    """What one order last added to its customer's view, and the position of the summary that did. ``changes``
    holds that one change (contributions stored when every change was kept hold more; the last one counts)."""

    order_id: str
    changes: tuple[Change, ...] = ()

    @property
    def latest(self) -> Change | None:
        return self.changes[-1] if self.changes else None


@dataclass(frozen=True)
class CustomerView:
    # A view stored in another shape (such as the one that kept every order's summary) is refused, not misread:
    # ``orderflow reset-views customer`` folds the customers again from their topics.
    __pydantic_config__ = ConfigDict(extra="forbid")

    customer_id: str
    updated_at: datetime
    customer: Customer | None = None
    registered_at: datetime | None = None
    orders_by_status: dict[str, int] = field(default_factory=dict)  # every order, statuses with none left out
    # The placed orders (the document's placed_orders). Named as when it was the document's total_orders: stored
    # views keep their shape, and with extra="forbid" a renamed field would refuse every one of them.
    total_orders: int = 0
    total_spent: Money = ZERO
    products: dict[str, Bought] = field(default_factory=dict)
    first_order_at: datetime | None = None  # the first and last time any order was submitted, cancelled ones too
    last_order_at: datetime | None = None
    order_versions: int = 0  # the sum of every order's latest version
    position: int = -1  # of the last order summary folded in

    @property
    def version(self) -> int:
        return customer_version(self) + self.order_versions


def customer_version(view: CustomerView) -> int:
    return view.customer.version if view.customer else 0


def _new_view(event: Envelope[Payload]) -> CustomerView:
    return CustomerView(customer_id=event.aggregate_id, updated_at=event.occurred_at)


# Customer events


def _apply_customer_event(view: CustomerView | None, event: Envelope[Payload]) -> CustomerView:
    view = view or _new_view(event)
    customer = evolve(view.customer, event.payload, customer_id=event.aggregate_id)
    return changed(
        view, customer=customer, registered_at=view.registered_at if view.customer else event.occurred_at,
        updated_at=max(view.updated_at, event.occurred_at),
    )


fold_customer_event = in_sequence(_apply_customer_event, customer_version)


# Order summaries


def contribution_key(event: Envelope[Payload]) -> str | None:
    """Where an order summary's contributions are kept; ``None`` for a customer event."""
    if isinstance(event.payload, OrderSummary):
        return f"{event.aggregate_id}/{event.payload.order_id}"
    return None


def contribution_of(summary: OrderSummary) -> Contribution:
    # Orders that are not (or no longer) placed count in ``orders_by_status`` only.
    if summary.status in NOT_PLACED:
        return Contribution(summary.order_version, summary.status, submitted_at=summary.submitted_at)
    products: dict[str, Bought] = {}
    for line in summary.items:
        known = products.get(line.product_id, Bought(line.product_name, 0, ZERO, summary.submitted_at))
        products[line.product_id] = changed(
            known, quantity=known.quantity + line.quantity, revenue=known.revenue + line.line_total)
    return Contribution(summary.order_version, summary.status, True, summary.total_amount, summary.submitted_at,
                        products)


def apply_summary(
    view: CustomerView, previous: Contribution | None, summary: OrderSummary
) -> tuple[CustomerView, Contribution | None]:
    """The view with the order's ``previous`` contribution taken out and the summary's put in, and the new
    contribution; ``(view, previous)`` itself when the summary is not newer than ``previous``."""
    if previous is not None and previous.order_version >= summary.order_version:
        return view, previous
    new = contribution_of(summary)
    return _moved(view, previous, new), new


def _moved(view: CustomerView, previous: Contribution | None, new: Contribution) -> CustomerView:
    statuses = dict(view.orders_by_status)  # a Counter built from a mapping costs more than the whole move
    products = dict(view.products)
    orders, spent, versions = view.total_orders, view.total_spent, view.order_versions + new.order_version
    if previous is not None:
        statuses[previous.status] = statuses.get(previous.status, 0) - 1
        versions -= previous.order_version
        if previous.counted:
            orders, spent = orders - 1, spent - previous.total
            for product_id, line in previous.products.items():
                _take(products, product_id, line)
    statuses[new.status] = statuses.get(new.status, 0) + 1
    if new.counted:
        orders, spent = orders + 1, spent + new.total
        for product_id, line in new.products.items():
            _put(products, product_id, line)
        products = _most_bought(products)
    submitted = new.submitted_at
    return changed(
        view, orders_by_status={status: n for status, n in sorted(statuses.items()) if n}, total_orders=orders,
        total_spent=spent, products=products, order_versions=versions,
        first_order_at=min(filter(None, (view.first_order_at, submitted)), default=None),
        last_order_at=max(filter(None, (view.last_order_at, submitted)), default=None),
    )


def _most_bought(products: dict[str, Bought], most: int = TRACKED_PRODUCTS) -> dict[str, Bought]:
    if len(products) <= most:
        return products
    kept = sorted(products.items(), key=lambda pair: (-pair[1].quantity, pair[0]))[:most]
    return dict(kept)


def _take(products: dict[str, Bought], product_id: str, line: Bought) -> None:
    total = products.get(product_id)
    if total is None:
        return
    if total.quantity <= line.quantity:
        del products[product_id]
    else:
        products[product_id] = changed(total, quantity=total.quantity - line.quantity,
                                       revenue=total.revenue - line.revenue)


def _put(products: dict[str, Bought], product_id: str, line: Bought) -> None:
    total = products.get(product_id)
    if total is None:
        products[product_id] = line
        return
    renamed = total.named_at is None or (line.named_at is not None and line.named_at >= total.named_at)
    named = line if renamed else total
    products[product_id] = changed(named, quantity=total.quantity + line.quantity, revenue=total.revenue + line.revenue)


def fold_summary(
    view: CustomerView | None, contributions: OrderContributions | None, event: Envelope[Payload], position: int
) -> tuple[CustomerView, OrderContributions | None]:
    """Fold the order summary at ``position``; returns ``contributions`` itself when they do not change."""
    summary = event.payload
    assert isinstance(summary, OrderSummary)
    view = view or _new_view(event)
    latest = contributions.latest if contributions else None
    if position <= view.position or (latest is not None and position <= latest.position):
        return view, contributions  # read before
    before = latest.contribution if latest else None
    folded, contribution = apply_summary(view, before, summary)
    if contribution is before or contribution is None:
        return view, contributions  # a repeated or an older snapshot
    recorded = OrderContributions(summary.order_id, (Change(position, contribution),))
    return changed(folded, position=position, updated_at=max(view.updated_at, event.occurred_at)), recorded


# The document


def favourite_products(products: dict[str, Bought], most: int = FAVOURITES) -> list[FavouriteProduct]:
    """The products bought in the largest quantities (ties by product id). Only those bought at least as much as
    the ``most``-th largest quantity can be among them: a view tracks up to 200 products, and sorting them all for
    each document cost twice what the rest of the document does."""
    quantities = heapq.nlargest(most, (total.quantity for total in products.values()))
    least = quantities[-1] if quantities else 0
    contenders = [(product_id, total) for product_id, total in products.items() if total.quantity >= least]
    ranked = sorted(contenders, key=lambda pair: (-pair[1].quantity, pair[0]))[:most]
    return [FavouriteProduct(product_id=product_id, product_name=total.name, quantity=total.quantity)
            for product_id, total in ranked]


def customer_document(view: CustomerView) -> CustomerDocument:
    spent = quantize(view.total_spent)
    return CustomerDocument(
        customer_id=view.customer_id,
        name=view.customer.name if view.customer else None,
        email=view.customer.email if view.customer else None,
        total_orders=sum(view.orders_by_status.values()), placed_orders=view.total_orders, total_spent=spent,
        average_order_value=quantize(spent / view.total_orders) if view.total_orders else None,
        first_order_at=view.first_order_at, last_order_at=view.last_order_at,
        favourite_products=favourite_products(view.products),
        orders_by_status={status: view.orders_by_status.get(status, 0) for status in ORDER_STATUSES},
        registered_at=view.registered_at, updated_at=view.updated_at, version=view.version,
    )


def customer_documents(view: CustomerView) -> list[IndexAction]:
    document = customer_document(view)
    return [IndexAction(CUSTOMERS.alias, document.customer_id, document.version, document.model_dump(mode="json"))]
