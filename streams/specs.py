"""Which aggregates are decided and which views are projected."""

from domain import customer, order
from schemas import topics
from schemas.customers import CUSTOMER_COMMANDS, CUSTOMER_EVENTS
from schemas.orders import ORDER_COMMANDS, ORDER_EVENTS
from streams.deciding import AggregateSpec
from streams.folds.order_view import OrderView, fold_order_view, order_index_actions
from streams.projecting import ProjectionSpec

ORDER_AGGREGATE = AggregateSpec(
    name="order", commands_topic=topics.ORDERS_COMMANDS, events_topic=topics.ORDERS_EVENTS,
    command_types=ORDER_COMMANDS, event_types=ORDER_EVENTS, decide=order.decide,
    evolve=lambda state, event, order_id: order.evolve(state, event, order_id=order_id),
    state_type=order.Order, version_of=lambda state: state.version,
)

CUSTOMER_AGGREGATE = AggregateSpec(
    name="customer", commands_topic=topics.CUSTOMERS_COMMANDS, events_topic=topics.CUSTOMERS_EVENTS,
    command_types=CUSTOMER_COMMANDS, event_types=CUSTOMER_EVENTS, decide=customer.decide,
    evolve=lambda state, event, customer_id: customer.evolve(state, event, customer_id=customer_id),
    state_type=customer.Customer, version_of=lambda state: state.version,
)

ORDER_VIEW = ProjectionSpec(
    name="order", events_topic=topics.ORDERS_EVENTS, event_types=ORDER_EVENTS, view_type=OrderView,
    version_of=lambda view: view.version, fold=fold_order_view, documents=order_index_actions,
)

AGGREGATES = (ORDER_AGGREGATE, CUSTOMER_AGGREGATE)
PROJECTIONS = (ORDER_VIEW,)
