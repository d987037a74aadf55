"""Decoding records: one validation against the payload model the envelope's type names."""

import pytest

from schemas.codec import UndecodableRecord, decode, encode
from schemas.envelope import Envelope, envelope_type
from schemas.orders import ORDER_COMMANDS, AddItem, CreateOrder, OrderCreated
from tests.unit.builders import build
from tests.unit.envelopes import command


def test_a_record_decodes_to_its_payload_model() -> None:
    sent = command(build(AddItem))
    decoded = decode(encode(sent), ORDER_COMMANDS)
    assert type(decoded) is envelope_type(AddItem) and decoded == sent


def test_parametrised_envelopes_are_built_once() -> None:
    assert envelope_type(CreateOrder) is envelope_type(CreateOrder)
    assert issubclass(envelope_type(CreateOrder), Envelope)


@pytest.mark.parametrize(("value", "reason"), [
    (b"not json", "record: Invalid JSON"),
    (b'{"type": "ShipIt"}', "unknown message type 'ShipIt'"),
    (b'{"id": 1}', "type: Field required"),
])
def test_undecodable_records_say_why(value: bytes, reason: str) -> None:
    with pytest.raises(UndecodableRecord, match=reason):
        decode(value, ORDER_COMMANDS)


def test_a_message_of_another_topic_is_refused() -> None:
    event = command(OrderCreated(customer_id="CUST-1", currency="EUR", channel="web"))
    with pytest.raises(UndecodableRecord, match="OrderCreated does not belong on this topic"):
        decode(encode(event), ORDER_COMMANDS)


def test_an_invalid_payload_names_its_field() -> None:
    value = encode(command(build(AddItem))).replace(b'"quantity":1', b'"quantity":0')
    with pytest.raises(UndecodableRecord, match=r"payload\.quantity"):
        decode(value, ORDER_COMMANDS)
