"""Message types by name, and where each command goes."""

from dataclasses import dataclass

from schemas import topics
from schemas.customers import CUSTOMER_COMMANDS, CUSTOMER_EVENTS, ORDER_SUMMARY_MESSAGES
from schemas.deadletter import DeadLetter
from schemas.envelope import Payload
from schemas.inventory import INVENTORY_COMMANDS, INVENTORY_EVENTS, ORDER_LINE_COMMANDS
from schemas.orders import ORDER_COMMANDS, ORDER_EVENTS, ORDER_STOCK_COMMANDS


@dataclass(frozen=True)
class CommandRoute:
    topic: str
    aggregate_id_field: str
    # Sent by the worker itself (stock reservations and what they record on orders), never accepted from clients.
    internal: bool = False


def _routes(models: tuple[type[Payload], ...], topic: str, id_field: str, internal: bool = False) -> dict[str, CommandRoute]:
    return {model.__name__: CommandRoute(topic, id_field, internal) for model in models}


COMMAND_ROUTES: dict[str, CommandRoute] = {
    **_routes(ORDER_COMMANDS, topics.ORDERS_COMMANDS, "order_id"),
    **_routes(ORDER_STOCK_COMMANDS, topics.ORDERS_COMMANDS, "order_id", internal=True),
    **_routes(CUSTOMER_COMMANDS, topics.CUSTOMERS_COMMANDS, "customer_id"),
    **_routes(tuple(c for c in INVENTORY_COMMANDS if c not in ORDER_LINE_COMMANDS), topics.INVENTORY_COMMANDS, "sku"),
    **_routes(ORDER_LINE_COMMANDS, topics.INVENTORY_COMMANDS, "sku", internal=True),
}
# What clients may send (one command at a time or in a batch).
PUBLIC_COMMAND_ROUTES: dict[str, CommandRoute] = {name: route for name, route in COMMAND_ROUTES.items() if not route.internal}

_MESSAGE_MODELS: tuple[type[Payload], ...] = (
    *ORDER_COMMANDS, *ORDER_STOCK_COMMANDS, *ORDER_EVENTS, *CUSTOMER_COMMANDS, *CUSTOMER_EVENTS,
    *ORDER_SUMMARY_MESSAGES, *INVENTORY_COMMANDS, *INVENTORY_EVENTS, DeadLetter,
)
MESSAGE_TYPES: dict[str, type[Payload]] = {model.__name__: model for model in _MESSAGE_MODELS}


class UnknownMessageType(ValueError):
    pass


def payload_model(type_name: str) -> type[Payload]:
    try:
        return MESSAGE_TYPES[type_name]
    except KeyError:
        raise UnknownMessageType(f"unknown message type {type_name!r}") from None
