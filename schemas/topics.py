"""Topic names. Commands and events are keyed by aggregate id, outcomes by command id."""

ORDERS_COMMANDS = "orders.commands"
ORDERS_EVENTS = "orders.events"
CUSTOMERS_COMMANDS = "customers.commands"
CUSTOMERS_EVENTS = "customers.events"
INVENTORY_COMMANDS = "inventory.commands"
INVENTORY_EVENTS = "inventory.events"
COMMAND_OUTCOMES = "commands.outcomes"
DEADLETTER = "deadletter"

COMMAND_TOPICS = (ORDERS_COMMANDS, CUSTOMERS_COMMANDS, INVENTORY_COMMANDS)
EVENT_TOPICS = (ORDERS_EVENTS, CUSTOMERS_EVENTS, INVENTORY_EVENTS)
ALL_TOPICS = (*COMMAND_TOPICS, *EVENT_TOPICS, COMMAND_OUTCOMES, DEADLETTER)
