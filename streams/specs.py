"""Which aggregates are decided and which views are projected."""

from domain import customer, order, stock
from schemas import topics
from schemas.customers import CUSTOMER_COMMANDS, CUSTOMER_EVENTS, ORDER_SUMMARY_MESSAGES
from schemas.inventory import INVENTORY_COMMANDS, INVENTORY_EVENTS
from schemas.orders import ORDER_COMMANDS, ORDER_EVENTS, ORDER_STOCK_COMMANDS
from streams.deciding import AggregateSpec
from streams.folds.customer_view import (
    CustomerView, OrderContributions, contribution_key, customer_index_actions, fold_customer_event, fold_summary,
)
from streams.folds.inventory_view import (
    InventoryView, backorder_records, fold_inventory_view, inventory_index_actions, inventory_view_version,
)
from streams.folds.order_summary import order_summary_records
from streams.folds.order_view import OrderView, fold_order_view, order_index_actions
from streams.folds.reservations import (
    OrderLines, fold_order_lines, no_documents, order_lines_version, stock_command_records,
)
from streams.projecting import PartTable, ProjectionSpec, in_sequence

ORDER_AGGREGATE = AggregateSpec(
    name="order", commands_topic=topics.ORDERS_COMMANDS, events_topic=topics.ORDERS_EVENTS,
    command_types=(*ORDER_COMMANDS, *ORDER_STOCK_COMMANDS), event_types=ORDER_EVENTS, decide=order.decide,
    evolve=lambda state, event, order_id: order.evolve(state, event, order_id=order_id),
    state_type=order.Order, version_of=lambda state: state.version,
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
    state_type=stock.StockState, version_of=lambda state: state.version,
)


def _view_version(view: OrderView | CustomerView) -> int:
    return view.version


ORDER_VIEW = ProjectionSpec(
    name="order", topics=(topics.ORDERS_EVENTS,), event_types=ORDER_EVENTS, view_type=OrderView,
    version_of=_view_version, fold=in_sequence(fold_order_view, _view_version), documents=order_index_actions,
    records=order_summary_records,
)

# Folds the customer's events and the summaries of the customer's orders. Both topics are keyed by customer id and
# written by the worker's producer (murmur2 of the key), so one customer is on the same partition of each. What each
# order contributed is kept in table ``customer-order-contributions``, next to the view in the same partition.
CUSTOMER_VIEW = ProjectionSpec(
    name="customer", topics=(topics.CUSTOMERS_EVENTS, topics.CUSTOMERS_ORDER_SUMMARIES),
    event_types=(*CUSTOMER_EVENTS, *ORDER_SUMMARY_MESSAGES), view_type=CustomerView,
    version_of=_view_version, fold=fold_customer_event, documents=customer_index_actions,
    parts=PartTable(name="order-contributions", part_type=OrderContributions, key_of=contribution_key,
                    fold=fold_summary),
)

INVENTORY_VIEW = ProjectionSpec(
    name="inventory", topics=(topics.INVENTORY_EVENTS,), event_types=INVENTORY_EVENTS, view_type=InventoryView,
    version_of=inventory_view_version, fold=in_sequence(fold_inventory_view, inventory_view_version),
    documents=inventory_index_actions, records=backorder_records,
)

# Not a read view: turns order events into stock commands. Kept out of PROJECTIONS (rebuild and reset-views), as
# folding the log again would send every reservation of every closed order again.
RESERVATIONS = ProjectionSpec(
    name="reservation", topics=(topics.ORDERS_EVENTS,), event_types=ORDER_EVENTS, view_type=OrderLines,
    version_of=order_lines_version, fold=fold_order_lines, documents=no_documents, records=stock_command_records,
)

AGGREGATES = (ORDER_AGGREGATE, CUSTOMER_AGGREGATE, INVENTORY_AGGREGATE)
PROJECTIONS = (ORDER_VIEW, CUSTOMER_VIEW, INVENTORY_VIEW)
TRANSLATORS = (RESERVATIONS,)
