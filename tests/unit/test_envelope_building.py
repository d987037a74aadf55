"""``envelope_of`` and ``name_uuid`` are faster ways to what pydantic and ``uuid`` do: they must give the same."""

import uuid
from decimal import Decimal

import pytest

from schemas.codec import encode
from schemas.envelope import envelope_of, envelope_type, name_uuid
from schemas.orders import ItemAdded, OrderSubmitted
from tests.unit.builders import line
from tests.unit.envelopes import AT


@pytest.mark.parametrize("name", ["1", "42", "ReserveStock:P-1", "orderflow:order-summary:ORD-1:7", "é" * 80, ""])
def test_name_uuid_is_uuid5(name: str) -> None:
    for namespace in (uuid.NAMESPACE_URL, uuid.UUID(int=0), uuid.UUID(int=(1 << 128) - 1), uuid.uuid4()):
        made = name_uuid(namespace, name)
        assert made == uuid.uuid5(namespace, name) and made.version == 5 and str(made) == str(uuid.uuid5(namespace, name))


@pytest.mark.parametrize("payload", [
    ItemAdded(product_id="P-1", product_name="Pen", quantity=2, unit_price=Decimal("5")),
    OrderSubmitted(items=[line(), line("P-2", unit_price="1.5")], total_amount=Decimal("21.48")),
])
def test_envelope_of_is_model_construct(payload: ItemAdded | OrderSubmitted) -> None:
    ids = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    fields = {"id": ids[0], "aggregate_id": "ORD-1", "version": 3, "occurred_at": AT, "command_id": ids[1],
              "correlation_id": ids[2], "actor": "test"}
    made = envelope_of(payload, **fields)
    constructed = envelope_type(type(payload)).model_construct(
        type=type(payload).__name__, schema_version=payload.schema_version, payload=payload, **fields)
    assert type(made) is type(constructed) and made == constructed
    assert list(vars(made)) == list(vars(constructed)) and made.model_fields_set == constructed.model_fields_set
    assert encode(made) == encode(constructed) and made.model_dump() == constructed.model_dump()
    assert (made.__pydantic_extra__, made.__pydantic_private__) == (None, None)
