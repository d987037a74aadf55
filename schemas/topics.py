"""Topic names. Commands and events are keyed by aggregate id, outcomes by command id."""

ORDERS_COMMANDS = "orders.commands"
ORDERS_EVENTS = "orders.events"
CUSTOMERS_COMMANDS = "customers.commands"
CUSTOMERS_EVENTS = "customers.events"
INVENTORY_COMMANDS = "inventory.commands"
INVENTORY_EVENTS = "inventory.events"
COMMAND_OUTCOMES = "commands.outcomes"
DEADLETTER = "deadletter"
# Written by the order projector, read by the customer projector: each order's latest summary, keyed by customer id.
CUSTOMERS_ORDER_SUMMARIES = "customers.order-summaries"

COMMAND_TOPICS = (ORDERS_COMMANDS, CUSTOMERS_COMMANDS, INVENTORY_COMMANDS)
EVENT_TOPICS = (ORDERS_EVENTS, CUSTOMERS_EVENTS, INVENTORY_EVENTS)
# Topics projectors derive from the event logs for other projectors; kept forever so their readers can replay them.
DERIVED_TOPICS = (CUSTOMERS_ORDER_SUMMARIES,)
ALL_TOPICS = (*COMMAND_TOPICS, *EVENT_TOPICS, *DERIVED_TOPICS, COMMAND_OUTCOMES, DEADLETTER)
