import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.customers import RegisterCustomer, UpdateCustomer
from schemas.envelope import Envelope, Payload, event_id
from schemas.money import quantize
from schemas.orders import AddItem, CreateOrder, ItemAdded, OrderSubmitted, RecordPayment
from schemas.registry import COMMAND_ROUTES, MESSAGE_TYPES, CommandRoute, UnknownMessageType, payload_model
from tests.unit.builders import FIRST_LINE, ORDER_ID, build

COMMAND_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def envelope(occurred_at: datetime, payload: Payload = FIRST_LINE) -> Envelope[Any]:
    return Envelope[type(payload)](
        id=event_id(COMMAND_ID, 1), type=type(payload).__name__, aggregate_id=ORDER_ID, version=1,
        occurred_at=occurred_at, command_id=COMMAND_ID, correlation_id=COMMAND_ID, actor="test", payload=payload,
    )


@pytest.mark.parametrize(
    ("amount", "text"), [("5", "5.00"), ("0.1", "0.10"), ("1059.97", "1059.97"), (Decimal("12.5"), "12.50")]
)
def test_money_serialises_as_a_two_decimal_string(amount: str | Decimal, text: str) -> None:
    item = build(AddItem, unit_price=amount)
    assert item.model_dump()["unit_price"] == text
    assert json.loads(item.model_dump_json())["unit_price"] == text


def test_money_nested_in_lists_is_never_a_float() -> None:
    submitted = OrderSubmitted(items=[FIRST_LINE], total_amount=Decimal("19.98"))
    assert json.loads(submitted.model_dump_json(), parse_float=_no_floats) == {
        "items": [{"product_id": "P-1", "product_name": "product P-1", "quantity": 2, "unit_price": "9.99"}],
        "total_amount": "19.98",
    }


def _no_floats(text: str) -> float:
    raise AssertionError(f"float {text} in JSON")


@pytest.mark.parametrize(("amount", "rounded"), [("0.125", "0.12"), ("0.135", "0.14"), ("2", "2.00")])
def test_quantize_rounds_half_even_to_cents(amount: str, rounded: str) -> None:
    assert str(quantize(Decimal(amount))) == rounded


@pytest.mark.parametrize(
    "occurred_at",
    [
        datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 3, 1, 7, 30, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
    ],
    ids=["east", "west", "utc"],
)
def test_envelope_normalises_occurred_at_to_utc(occurred_at: datetime) -> None:
    stamped = envelope(occurred_at)
    assert stamped.occurred_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert stamped.occurred_at.utcoffset() == timedelta(0)
    assert json.loads(stamped.model_dump_json())["occurred_at"] == "2026-03-01T12:30:00Z"


def test_envelope_refuses_a_naive_occurred_at() -> None:
    with pytest.raises(ValidationError) as error:
        envelope(datetime(2026, 3, 1, 12, 30))
    assert _locs(error.value) == [("occurred_at",)]


def test_envelope_round_trips_through_json() -> None:
    stamped = envelope(datetime(2026, 3, 1, 12, 30, tzinfo=UTC), ItemAdded(**FIRST_LINE.model_dump()))
    assert Envelope[ItemAdded].model_validate_json(stamped.model_dump_json()) == stamped


def test_event_ids_are_deterministic_per_command_and_version() -> None:
    assert event_id(COMMAND_ID, 1) == event_id(COMMAND_ID, 1) != event_id(COMMAND_ID, 2)


@pytest.mark.parametrize(("name", "model"), MESSAGE_TYPES.items(), ids=list(MESSAGE_TYPES))
def test_every_message_exports_a_json_schema(name: str, model: type[Payload]) -> None:
    for mode in ("validation", "serialization"):
        schema = model.model_json_schema(mode=mode)
        assert (schema["title"], schema["type"], schema["additionalProperties"]) == (name, "object", False)
        assert set(schema["properties"]) == set(model.model_fields)
        json.dumps(schema)


@pytest.mark.parametrize("model", MESSAGE_TYPES.values(), ids=list(MESSAGE_TYPES))
def test_exported_schemas_serialise_no_number_so_money_is_a_string(model: type[Payload]) -> None:
    schema = json.dumps(model.model_json_schema(mode="serialization"))
    assert '"number"' not in schema


@pytest.mark.parametrize(
    ("model", "overrides", "loc"),
    [
        (AddItem, {"quantity": -1}, ("quantity",)),
        (AddItem, {"quantity": 0}, ("quantity",)),
        (AddItem, {"unit_price": "-1.00"}, ("unit_price",)),
        (AddItem, {"unit_price": "1.001"}, ("unit_price",)),
        (AddItem, {"colour": "red"}, ("colour",)),
        (RecordPayment, {"amount": "0"}, ("amount",)),
        (CreateOrder, {"currency": "eur"}, ("currency",)),
        (CreateOrder, {"currency": "EURO"}, ("currency",)),
        (CreateOrder, {"customer": {"name": "Ada", "email": "not-an-email"}}, ("customer", "email")),
        (CreateOrder, {"order_id": "ORD 1/2"}, ("order_id",)),
        (RegisterCustomer, {"email": "ada@"}, ("email",)),
        (RegisterCustomer, {"name": "   "}, ("name",)),
        (UpdateCustomer, {"email": "ada"}, ("email",)),
    ],
    ids=lambda value: "-".join(map(str, value)) if isinstance(value, tuple) else None,
)
def test_invalid_payloads_name_the_field(model: type[Payload], overrides: dict[str, Any], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as error:
        build(model, **overrides)
    assert _locs(error.value) == [loc]


def _locs(error: ValidationError) -> list[tuple[str | int, ...]]:
    return [tuple(detail["loc"]) for detail in error.errors()]


def test_payloads_are_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        FIRST_LINE.quantity = 3


@pytest.mark.parametrize(("name", "route"), COMMAND_ROUTES.items(), ids=list(COMMAND_ROUTES))
def test_every_command_route_names_a_message_and_its_aggregate_id_field(name: str, route: CommandRoute) -> None:
    assert route.aggregate_id_field in payload_model(name).model_fields


def test_payload_model_refuses_unknown_types() -> None:
    with pytest.raises(UnknownMessageType, match="OrderTeleported"):
        payload_model("OrderTeleported")



def test_commands_the_worker_sends_itself_are_routed_but_not_public() -> None:
    from schemas.registry import COMMAND_ROUTES, PUBLIC_COMMAND_ROUTES

    internal = {"ReserveStock", "ReleaseStock", "DeductStock", "RecordBackorder"}
    assert internal <= set(COMMAND_ROUTES) and not internal & set(PUBLIC_COMMAND_ROUTES)
    assert {"ReceiveStock", "AdjustStock"} <= set(PUBLIC_COMMAND_ROUTES)
    assert COMMAND_ROUTES["ReceiveStock"].aggregate_id_field == "sku"
