"""The customer aggregate: ``decide(state, command)`` and ``evolve(state, event)``, pure."""

from dataclasses import dataclass
from functools import singledispatch

from domain.rejections import Decision, reject, route_command
from domain.values import changed
from schemas.customers import CustomerRegistered, CustomerUpdated, RegisterCustomer, UpdateCustomer
from schemas.envelope import Payload


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    email: str
    version: int = 0


def decide(state: Customer | None, command: Payload) -> Decision:
    """Decide a command against the current state (``None``: the customer does not exist)."""
    return route_command(
        state, command, creates=RegisterCustomer, create=_register, existing=_decide_existing,
        noun="customer", id_field="customer_id",
    )


def _register(state: Customer | None, command: RegisterCustomer) -> Decision:
    if state is not None:
        return reject("already_exists", f"customer {command.customer_id} already exists")
    return [CustomerRegistered(name=command.name, email=command.email)]


@singledispatch
def _decide_existing(command: Payload, state: Customer) -> Decision:
    return reject("unknown_command", f"customers do not handle {type(command).__name__}")


@_decide_existing.register
def _update(command: UpdateCustomer, state: Customer) -> Decision:
    changes = {
        field: value
        for field, value in (("name", command.name), ("email", command.email))
        if value is not None and value != getattr(state, field)
    }
    if not changes:
        return reject("nothing_to_change", f"customer {state.customer_id} already has this name and email")
    return [CustomerUpdated(**changes)]


def evolve(state: Customer | None, event: Payload, *, customer_id: str = "") -> Customer:
    """Apply one event and count it in ``version``. ``customer_id`` names a new customer (registration only)."""
    if isinstance(event, CustomerRegistered):
        if state is not None:
            raise ValueError(f"customer {state.customer_id} is registered twice")
        return Customer(customer_id=customer_id, name=event.name, email=event.email, version=1)
    if state is None:
        raise ValueError(f"{type(event).__name__} applied to a customer that does not exist")
    return changed(_evolve_existing(event, state), version=state.version + 1)


@singledispatch
def _evolve_existing(event: Payload, state: Customer) -> Customer:
    raise ValueError(f"customers do not apply {type(event).__name__}")


@_evolve_existing.register
def _(event: CustomerUpdated, state: Customer) -> Customer:
    return changed(
        state,
        name=state.name if event.name is None else event.name,
        email=state.email if event.email is None else event.email,
    )
