"""Message types by name, and where each command goes."""

from dataclasses import dataclass

from schemas import topics
from schemas.customers import CUSTOMER_COMMANDS, CUSTOMER_EVENTS, ORDER_SUMMARY_MESSAGES
from schemas.deadletter import DeadLetter
from schemas.envelope import Payload
from schemas.orders import ORDER_COMMANDS, ORDER_EVENTS


@dataclass(frozen=True)
class CommandRoute:
    topic: str
    aggregate_id_field: str


COMMAND_ROUTES: dict[str, CommandRoute] = {
    **{model.__name__: CommandRoute(topics.ORDERS_COMMANDS, "order_id") for model in ORDER_COMMANDS},
    **{model.__name__: CommandRoute(topics.CUSTOMERS_COMMANDS, "customer_id") for model in CUSTOMER_COMMANDS},
}

MESSAGE_TYPES: dict[str, type[Payload]] = {
    model.__name__: model
    for model in (
        *ORDER_COMMANDS, *ORDER_EVENTS, *CUSTOMER_COMMANDS, *CUSTOMER_EVENTS, *ORDER_SUMMARY_MESSAGES, DeadLetter,
    )
}


class UnknownMessageType(ValueError):
    pass


def payload_model(type_name: str) -> type[Payload]:
    try:
        return MESSAGE_TYPES[type_name]
    except KeyError:
        raise UnknownMessageType(f"unknown message type {type_name!r}") from None
