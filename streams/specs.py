"""Which aggregates are decided and which views are projected."""

from domain import customer, order, stock
from schemas import topics
from schemas.customers import CUSTOMER_COMMANDS, CUSTOMER_EVENTS, ORDER_SUMMARY_MESSAGES
from schemas.inventory import INVENTORY_COMMANDS, INVENTORY_EVENTS
from schemas.orders import ORDER_COMMANDS, ORDER_EVENTS, ORDER_STOCK_COMMANDS
from streams.deciding import AggregateSpec
from streams.folds.backorders import backorder_commands
from streams.folds.customer_view import (
    CustomerView,
    OrderContributions,
    contribution_key,
    customer_documents,
    fold_customer_event,
    fold_summary,
)
from streams.folds.inventory_view import (
    InventoryView,
    fold_inventory_view,
    inventory_documents,
    inventory_view_version,
)
from streams.folds.order_summary import order_summary_records
from streams.folds.order_view import OrderView, fold_order_view, order_documents, order_event_documents
from streams.folds.reservations import stock_commands
from streams.projection_spec import PartTable, ProjectionSpec, in_sequence
from streams.tables import ReadKey, Writes


class StockCodec:
    """A stock and its reservations, each its own key of the stock's partition (``domain.stock``)."""

    def load(self, key: str, read: ReadKey) -> stock.StockState | None:
        return stock.load_stock(key, read)

    def dump(self, key: str, value: stock.StockState) -> tuple[Writes, stock.StockState]:
        writes, settled = stock.stock_writes(value)
        return dict(writes), settled


ORDER_AGGREGATE = AggregateSpec(
    name="order", commands_topic=topics.ORDERS_COMMANDS, events_topic=topics.ORDERS_EVENTS,
    command_types=(*ORDER_COMMANDS, *ORDER_STOCK_COMMANDS), event_types=ORDER_EVENTS, decide=order.decide,
    evolve=lambda state, event, order_id: order.evolve(state, event, order_id=order_id),
    state_type=order.Order, version_of=lambda state: state.version, derive=stock_commands,
)

CUSTOMER_AGGREGATE = AggregateSpec(
    name="customer", commands_topic=topics.CUSTOMERS_COMMANDS, events_topic=topics.CUSTOMERS_EVENTS,
    command_types=CUSTOMER_COMMANDS, event_types=CUSTOMER_EVENTS, decide=customer.decide,
    evolve=lambda state, event, customer_id: customer.evolve(state, event, customer_id=customer_id),
    state_type=customer.Customer, version_of=lambda state: state.version,
)

INVENTORY_AGGREGATE = AggregateSpec(
    name="stock", commands_topic=topics.INVENTORY_COMMANDS, events_topic=topics.INVENTORY_EVENTS,
    command_types=INVENTORY_COMMANDS, event_types=INVENTORY_EVENTS, decide=stock.decide,
    evolve=lambda state, event, sku: stock.evolve(state, event, sku=sku),
    state_type=stock.StockState, version_of=lambda state: state.version, derive=backorder_commands,
    codec=StockCodec(),
)


def _view_version(view: OrderView | CustomerView) -> int:
    return view.version


ORDER_VIEW = ProjectionSpec(
    name="order", topics=(topics.ORDERS_EVENTS,), event_types=ORDER_EVENTS, view_type=OrderView,
    version_of=_view_version, fold=in_sequence(fold_order_view, _view_version), view_documents=order_documents,
    event_documents=order_event_documents, view_records=order_summary_records,
)

# Folds the customer's events and the summaries of the customer's orders. Both topics are keyed by customer id and
# written with murmur2 partitioning, so one customer is on the same partition of each. What each order contributed
# is kept in store ``customer-order-contributions``, next to the view in the same partition.
CUSTOMER_VIEW = ProjectionSpec(
    name="customer", topics=(topics.CUSTOMERS_EVENTS, topics.CUSTOMERS_ORDER_SUMMARIES),
    event_types=(*CUSTOMER_EVENTS, *ORDER_SUMMARY_MESSAGES), view_type=CustomerView,
    version_of=_view_version, fold=fold_customer_event, view_documents=customer_documents,
    parts=PartTable(name="order-contributions", part_type=OrderContributions, key_of=contribution_key,
                    fold=fold_summary),
)

INVENTORY_VIEW = ProjectionSpec(
    name="inventory", topics=(topics.INVENTORY_EVENTS,), event_types=INVENTORY_EVENTS, view_type=InventoryView,
    version_of=inventory_view_version, fold=in_sequence(fold_inventory_view, inventory_view_version),
    view_documents=inventory_documents,
)

AGGREGATES = (ORDER_AGGREGATE, CUSTOMER_AGGREGATE, INVENTORY_AGGREGATE)
PROJECTIONS = (ORDER_VIEW, CUSTOMER_VIEW, INVENTORY_VIEW)
