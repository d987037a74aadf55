"""Upcasters: older payloads read as the current version, in the one decode step every reader uses."""

import uuid
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from pydantic_core import from_json, to_json

from common.deadletters import check_resendable
from schemas import codec, topics
from schemas.codec import UndecodableRecord, decode, encode
from schemas.deadletter import DeadLetter
from schemas.envelope import Payload, event_id
from schemas.orders import ORDER_EVENTS, AddItem, ItemAdded, OrderCreated
from schemas.registry import MESSAGE_TYPES
from schemas.upcasting import CannotUpcast, JsonPayload, Upcasters
from streams.records import Consumed
from streams.specs import ORDER_VIEW
from tests.schema_history import order_created_v1
from tests.unit.builders import build
from tests.unit.envelopes import AT, envelope
from tests.unit.projections import ProjectionRun

COMMAND_ID = uuid.UUID("6a1b7c52-0d3e-4f6a-9b8c-7d6e5f4a3b21")
CUSTOMER = {"name": "Ada Lovelace", "email": "ada@example.com"}


class Parcel(Payload):
    """v1: ``weight`` in grams; v2: in kilograms; v3: ``insured`` too."""

    schema_version: ClassVar[int] = 3

    weight: Decimal
    insured: bool = False


def grams_to_kilograms(payload: JsonPayload) -> JsonPayload:
    return {**payload, "weight": str(Decimal(payload["weight"]) / 1000)}


def not_insured(payload: JsonPayload) -> JsonPayload:
    return {**payload, "insured": False}


def parcel_upcasters() -> Upcasters:
    upcasters = Upcasters()
    upcasters.register("Parcel", from_version=1)(grams_to_kilograms)
    upcasters.register("Parcel", from_version=2)(not_insured)
    return upcasters


def parcel_record(version: int, payload: dict[str, Any]) -> bytes:
    return to_json({"id": str(COMMAND_ID), "type": "Parcel", "schema_version": version, "aggregate_id": "PCL-1",
                    "version": 1, "occurred_at": AT, "command_id": str(COMMAND_ID), "correlation_id": str(COMMAND_ID),
                    "actor": "test", "payload": payload})


@pytest.fixture
def parcels(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Parcel`` at v3 is a known message type, with its upcasters as the codec's."""
    monkeypatch.setitem(MESSAGE_TYPES, "Parcel", Parcel)
    monkeypatch.setattr(codec, "UPCASTERS", parcel_upcasters())


def test_a_chain_brings_a_payload_from_v1_through_v2_to_v3() -> None:
    upcasters = parcel_upcasters()
    assert upcasters.upcast("Parcel", {"weight": 1500}, 1, 3) == {"weight": "1.5", "insured": False}
    assert upcasters.upcast("Parcel", {"weight": "2"}, 2, 3) == {"weight": "2", "insured": False}
    assert upcasters.upcast("Parcel", {"weight": "2", "insured": True}, 3, 3) == {"weight": "2", "insured": True}


def test_a_missing_step_a_newer_version_and_a_failing_step_cannot_be_upcast() -> None:
    only_first = Upcasters()
    only_first.register("Parcel", from_version=1)(grams_to_kilograms)
    with pytest.raises(CannotUpcast, match=r"no upcaster registered for Parcel v2 -> v3"):
        only_first.upcast("Parcel", {"weight": 1}, 1, 3)
    with pytest.raises(CannotUpcast, match=r"Parcel v4 is newer than this code reads \(v3\)"):
        parcel_upcasters().upcast("Parcel", {}, 4, 3)
    with pytest.raises(CannotUpcast, match=r"upcasting Parcel v1 failed: KeyError"):
        parcel_upcasters().upcast("Parcel", {"kilograms": 1}, 1, 3)


def test_a_step_is_registered_once() -> None:
    with pytest.raises(ValueError, match="Parcel v1 already has an upcaster"):
        parcel_upcasters().register("Parcel", from_version=1)(not_insured)


def test_decode_reads_every_older_version_as_the_current_one(parcels: None) -> None:
    for record in (parcel_record(1, {"weight": 1500}), parcel_record(2, {"weight": "1.5"})):
        decoded = decode(record)
        assert decoded.schema_version == 3 and decoded.payload == Parcel(weight=Decimal("1.5"), insured=False)
    assert decode(parcel_record(3, {"weight": "1500", "insured": True})).payload == Parcel(weight=1500, insured=True)


def test_decode_upcasts_an_older_record_even_when_the_current_model_would_read_it_as_it_is(parcels: None) -> None:
    """The version decides, not whether the record happens to pass the current model: 1500 g is not 1500 kg."""
    assert Parcel.model_validate({"weight": 1500}).weight == 1500
    assert decode(parcel_record(1, {"weight": 1500})).payload.weight == Decimal("1.5")


def test_an_upcast_payload_the_model_refuses_is_undecodable_and_says_so(parcels: None) -> None:
    with pytest.raises(UndecodableRecord, match=r"Parcel v2 read as v3: payload\.weight"):
        decode(parcel_record(2, {"weight": "heavy"}))


def test_a_record_newer_than_the_code_is_undecodable(parcels: None) -> None:
    with pytest.raises(UndecodableRecord, match=r"Parcel v4 is newer than this code reads"):
        decode(parcel_record(4, {"weight": "1", "insured": True}))


def test_an_order_created_v1_record_is_read_as_v2_placed_through_the_api() -> None:
    decoded = decode(order_created_v1("ORD-V1", AT, COMMAND_ID, customer_id="C-1", currency="EUR", customer=CUSTOMER),
                     ORDER_EVENTS)
    assert decoded.schema_version == 2
    assert decoded.payload == OrderCreated(customer_id="C-1", currency="EUR", customer=CUSTOMER, channel="api")


def test_records_are_written_at_the_current_version_of_their_type() -> None:
    created = OrderCreated(customer_id="C-1", currency="EUR", channel="web")
    assert from_json(encode(envelope(created, "ORD-1", 1)))["schema_version"] == 2
    assert from_json(encode(envelope(build(AddItem), "ORD-1", None)))["schema_version"] == 1


def test_a_record_without_a_schema_version_is_read_as_the_current_one() -> None:
    record = from_json(encode(envelope(OrderCreated(customer_id="C-1", currency="EUR", channel="web"), "ORD-1", 1)))
    del record["schema_version"]
    assert decode(to_json(record), ORDER_EVENTS).payload.channel == "web"


def test_a_dead_letter_of_an_older_version_may_be_resent_as_it_is() -> None:
    letter = DeadLetter(source_topic=topics.ORDERS_EVENTS, partition=0, offset=7, key="ORD-V1", value="",
                        value_encoding="utf-8", error="worker could not read it then")
    check_resendable(letter, order_created_v1("ORD-V1", AT, COMMAND_ID, customer_id="C-1", currency="EUR"))


def order_documents_of(records: list[bytes]) -> list[dict[str, Any]]:
    run = ProjectionRun(ORDER_VIEW)
    projected = run.batch([Consumed(topics.ORDERS_EVENTS, 0, offset, b"ORD-1", value)
                           for offset, value in enumerate(records)])
    return [action.document for action, _ in projected.actions]


def test_v1_and_v2_order_created_records_fold_to_the_same_documents() -> None:
    created = {"customer_id": "C-1", "currency": "EUR", "customer": CUSTOMER, "notes": "ring twice"}
    item = encode(envelope(ItemAdded(**build(AddItem).model_dump(exclude={"order_id"})), "ORD-1", 2))
    v2 = envelope(OrderCreated(**created, channel="api"), "ORD-1", 1, command_id=COMMAND_ID).model_copy(
        update={"id": event_id(COMMAND_ID, 1), "actor": "anonymous"})
    v1 = order_created_v1("ORD-1", AT, COMMAND_ID, **created)
    assert order_documents_of([v1, item]) == order_documents_of([encode(v2), item])
    assert order_documents_of([v1, item])[-1]["channel"] == "api"
