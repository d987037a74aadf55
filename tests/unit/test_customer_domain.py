from typing import Any

import pytest
from pydantic import ValidationError

from domain.customer import Customer, decide, evolve
from schemas import topics
from schemas.customers import CustomerRegistered, CustomerUpdated, RegisterCustomer, UpdateCustomer
from schemas.envelope import Payload
from schemas.orders import ItemAdded, SubmitOrder
from schemas.registry import COMMAND_ROUTES, MESSAGE_TYPES, CommandRoute
from tests.unit.builders import (
    CUSTOMER_ID,
    DEFAULTS,
    accepted,
    build,
    build_unchecked,
    refused,
    registered_customer,
    run_customer,
)

ADA = DEFAULTS[RegisterCustomer]
UPDATED = CustomerUpdated(name="Ada King")


def test_register_emits_registered_with_name_and_email() -> None:
    assert accepted(decide(None, build(RegisterCustomer))) == [CustomerRegistered(name=ADA["name"], email=ADA["email"])]


def test_registered_starts_a_customer_at_version_1() -> None:
    assert registered_customer() == Customer(customer_id=CUSTOMER_ID, name=ADA["name"], email=ADA["email"], version=1)


def test_a_customer_id_is_registered_once() -> None:
    assert refused(decide(registered_customer(), build(RegisterCustomer, name="Other"))).code == "already_exists"


def test_an_update_of_a_missing_customer_is_not_found() -> None:
    assert refused(decide(None, build(UpdateCustomer, name="Ada King"))).code == "not_found"


def test_a_customer_refuses_commands_of_other_aggregates() -> None:
    assert refused(decide(registered_customer(), SubmitOrder(order_id="ORD-1"))).code == "unknown_command"


@pytest.mark.parametrize(
    ("changes", "event"),
    [
        ({"name": "Ada King"}, CustomerUpdated(name="Ada King")),
        ({"email": "ada@king.example"}, CustomerUpdated(email="ada@king.example")),
        ({"name": "Ada King", "email": "ada@king.example"}, CustomerUpdated(name="Ada King", email="ada@king.example")),
        ({"name": "Ada King", "email": ADA["email"]}, CustomerUpdated(name="Ada King")),
        ({"name": ADA["name"], "email": "ada@king.example"}, CustomerUpdated(email="ada@king.example")),
    ],
    ids=["name", "email", "both", "name-and-same-email", "same-name-and-email"],
)
def test_update_emits_only_what_changes(changes: dict[str, str], event: CustomerUpdated) -> None:
    assert accepted(decide(registered_customer(), build(UpdateCustomer, **changes))) == [event]


@pytest.mark.parametrize(
    "changes",
    [{"name": ADA["name"]}, {"email": ADA["email"]}, {"name": ADA["name"], "email": ADA["email"]}, {}],
    ids=["same-name", "same-email", "same-both", "neither"],
)
def test_an_update_that_changes_nothing_is_refused(changes: dict[str, Any]) -> None:
    command = build_unchecked(UpdateCustomer, **changes)
    assert refused(decide(registered_customer(), command)).code == "nothing_to_change"


def test_update_command_needs_a_name_or_an_email() -> None:
    with pytest.raises(ValidationError, match="needs a name or an email"):
        UpdateCustomer(customer_id=CUSTOMER_ID)


@pytest.mark.parametrize(
    ("event", "name", "email"),
    [
        (CustomerUpdated(name="Ada King"), "Ada King", ADA["email"]),
        (CustomerUpdated(email="ada@king.example"), ADA["name"], "ada@king.example"),
        (CustomerUpdated(name="Ada King", email="ada@king.example"), "Ada King", "ada@king.example"),
    ],
    ids=["name", "email", "both"],
)
def test_updated_replaces_the_fields_it_names(event: CustomerUpdated, name: str, email: str) -> None:
    assert evolve(registered_customer(), event) == Customer(
        customer_id=CUSTOMER_ID, name=name, email=email, version=2
    )


def test_each_event_increments_version() -> None:
    updates = [build(UpdateCustomer, name=f"Ada {n}") for n in range(3)]
    assert run_customer(None, build(RegisterCustomer), *updates).version == 4


def test_a_customer_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        evolve(registered_customer(), CustomerRegistered(name="Ada", email="ada@example.com"))


def test_an_update_cannot_apply_to_a_missing_customer() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        evolve(None, UPDATED)


def test_a_customer_refuses_events_of_other_aggregates() -> None:
    with pytest.raises(ValueError, match="customers do not apply ItemAdded"):
        evolve(registered_customer(), ItemAdded(product_id="P", product_name="p", quantity=1, unit_price="1.00"))


def test_decide_is_deterministic() -> None:
    first, second = (decide(registered_customer(), build(UpdateCustomer, name="Ada King")) for _ in range(2))
    assert [e.model_dump_json() for e in accepted(first)] == [e.model_dump_json() for e in accepted(second)]


@pytest.mark.parametrize("command", [RegisterCustomer, UpdateCustomer], ids=lambda model: model.__name__)
def test_customer_commands_route_to_the_customer_topic_by_customer_id(command: type[Payload]) -> None:
    assert COMMAND_ROUTES[command.__name__] == CommandRoute(topics.CUSTOMERS_COMMANDS, "customer_id")


@pytest.mark.parametrize(
    "model", [RegisterCustomer, UpdateCustomer, CustomerRegistered, CustomerUpdated], ids=lambda model: model.__name__
)
def test_customer_messages_are_registered(model: type[Payload]) -> None:
    assert MESSAGE_TYPES[model.__name__] is model
