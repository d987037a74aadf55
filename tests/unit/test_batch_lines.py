"""NDJSON batches: lines cut out of arbitrary body pieces, and each line parsed into an enveloped command."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any

import pytest

from producers.batch import BatchContext, BatchTooLarge, answer_batch, ndjson_lines, parse_line
from producers.commands import IdempotencyMismatch, Outgoing, idempotent_command_id
from schemas.codec import decode
from schemas.customers import RegisterCustomer, UpdateCustomer
from schemas.envelope import Payload
from schemas.orders import AddItem, CancelOrder, CreateOrder, RecordPayment, SubmitOrder
from tests.unit.builders import CUSTOMER_ID, FIRST_LINE, ORDER_ID, build

Lines = list[list[tuple[int, bytes | None]]]

ACTOR = "shop"
CORRELATION = uuid.UUID("8a4e2f3c-1b0d-4c5e-9f6a-7b8c9d0e1f2a")
CONTEXT = BatchContext(ACTOR, CORRELATION, "/commands/")


async def _pieces(chunks: Sequence[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _lines(*chunks: bytes, max_line_bytes: int = 100, max_total_bytes: int = 10_000) -> Lines:
    return [group async for group in ndjson_lines(_pieces(chunks), max_line_bytes, max_total_bytes)]


# ndjson_lines


async def test_a_line_split_across_pieces_is_joined_and_grouped_by_the_piece_that_completed_it() -> None:
    assert await _lines(b'{"a":', b"1}\nsecond\nth", b"ird\n") == [
        [(1, b'{"a":1}'), (2, b"second")],
        [(3, b"third")],
    ]


async def test_blank_lines_are_skipped_and_not_numbered() -> None:
    assert await _lines(b"one\n\n   \ntwo\n", b"\n\nthree\n") == [[(1, b"one"), (2, b"two")], [(3, b"three")]]


async def test_a_last_line_without_newline_is_yielded_after_the_body_ends() -> None:
    assert await _lines(b"one\ntw", b"o") == [[(1, b"one")], [(2, b"two")]]


async def test_a_body_of_blank_lines_yields_nothing() -> None:
    assert await _lines(b"\n \n", b"  ") == []


@pytest.mark.parametrize("chunks", [
    pytest.param((b"toolongline\nok\n",), id="in-one-piece"),
    pytest.param((b"toolo", b"ngli", b"ne\nok\n"), id="tail-short-in-each-piece"),
    pytest.param((b"toolongl", b"ine", b"\nok\n"), id="dropped-then-short-tail"),
    pytest.param((b"toolongline", b"\nok\n"), id="newline-starts-next-piece"),
    pytest.param((b"tooooolong", b"liiiiiiine", b"\nok\n"), id="several-long-pieces"),
])
async def test_a_line_over_the_limit_comes_as_none_and_the_next_line_is_normal(chunks: tuple[bytes, ...]) -> None:
    assert [line for group in await _lines(*chunks, max_line_bytes=5) for line in group] == [(1, None), (2, b"ok")]


async def test_an_overlong_last_line_without_newline_comes_as_none() -> None:
    assert await _lines(b"ok\ntoolong", b"line", max_line_bytes=5) == [[(1, b"ok")], [(2, None)]]


@pytest.mark.parametrize("chunks", [(b"exact\n",), (b"exa", b"ct", b"\n"), (b"exact",)])
async def test_a_line_of_exactly_the_limit_is_kept(chunks: tuple[bytes, ...]) -> None:
    assert [line for group in await _lines(*chunks, max_line_bytes=5) for line in group] == [(1, b"exact")]


async def test_a_too_large_body_raises_after_the_lines_of_earlier_pieces() -> None:
    received: Lines = []
    with pytest.raises(BatchTooLarge):
        async for group in ndjson_lines(_pieces([b"one\n", b"two\n", b"three\nfour\n"]), 100, 10):
            received.append(group)
    assert received == [[(1, b"one")], [(2, b"two")]]


async def test_lines_within_the_limit_are_answered_even_when_one_piece_crosses_it() -> None:
    received: Lines = []
    with pytest.raises(BatchTooLarge, match="lines after 2 were not read"):
        async for group in ndjson_lines(_pieces([b"one\ntwo\nthree\nfour\n"]), 100, 10):
            received.append(group)
    assert received == [[(1, b"one"), (2, b"two")]]


async def test_a_body_of_exactly_the_total_limit_is_read() -> None:
    assert await _lines(b"one\n", b"two\n", max_total_bytes=8) == [[(1, b"one")], [(2, b"two")]]


# parse_line


# The builders' UpdateCustomer changes nothing, which its schema refuses.
NEEDED: dict[type[Payload], dict[str, Any]] = {UpdateCustomer: {"name": "Ada King"}}


def _valid(model: type[Payload], **overrides: Any) -> Payload:
    return build(model, **{**NEEDED.get(model, {}), **overrides})


def _payload(model: type[Payload], *without: str, **overrides: Any) -> dict[str, Any]:
    fields = _valid(model, **overrides).model_dump(mode="json")
    return {name: value for name, value in fields.items() if name not in without}


def _raw(command_type: str, payload: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps({"type": command_type, "payload": payload, **extra}).encode()


def _parsed(raw: bytes, number: int = 1, context: BatchContext = CONTEXT) -> Outgoing:
    parsed = parse_line(number, raw, context)
    assert parsed.error is None and parsed.outgoing is not None, parsed.error
    assert parsed.number == number
    return parsed.outgoing


def _refused(raw: bytes, number: int = 1) -> list[dict[str, Any]]:
    parsed = parse_line(number, raw, CONTEXT)
    assert parsed.outgoing is None and parsed.error is not None
    assert (parsed.error["line"], parsed.error["status"]) == (number, 422)
    errors: list[dict[str, Any]] = parsed.error["errors"]
    return errors


@pytest.mark.parametrize(("model", "aggregate_id"), [
    (AddItem, ORDER_ID), (SubmitOrder, ORDER_ID), (RecordPayment, ORDER_ID), (CancelOrder, ORDER_ID),
    (CreateOrder, ORDER_ID), (RegisterCustomer, CUSTOMER_ID), (UpdateCustomer, CUSTOMER_ID),
])
def test_a_valid_line_becomes_an_enveloped_command(model: type[Payload], aggregate_id: str) -> None:
    outgoing = _parsed(_raw(model.__name__, _payload(model)), number=7)
    command = outgoing.command
    envelope = decode(command.record.value)
    assert (envelope.type, envelope.aggregate_id, envelope.actor, envelope.correlation_id) == (
        model.__name__, aggregate_id, ACTOR, CORRELATION)
    assert type(command.payload) is model and command.payload == envelope.payload == _valid(model)
    assert envelope.id == envelope.command_id == command.id and envelope.version is command.version is None
    assert command.record.key == aggregate_id.encode()
    assert outgoing.idempotency_scope is None


@pytest.mark.parametrize(("model", "id_field", "prefix"), [
    (CreateOrder, "order_id", "ORD"), (RegisterCustomer, "customer_id", "CUST"),
])
def test_a_creating_command_without_an_id_gets_one_from_its_command_id(
        model: type[Payload], id_field: str, prefix: str) -> None:
    command = _parsed(_raw(model.__name__, _payload(model, id_field))).command
    assert command.aggregate_id == f"{prefix}-{command.id.hex[:12].upper()}"
    assert getattr(command.payload, id_field) == command.aggregate_id


def test_a_repeated_creating_line_with_its_idempotency_key_names_the_same_aggregate() -> None:
    raw = _raw("CreateOrder", _payload(CreateOrder, "order_id"), idempotency_key="k-1")
    assert _parsed(raw).command.aggregate_id == _parsed(raw).command.aggregate_id


def test_a_creating_command_keeps_the_id_it_was_given() -> None:
    assert _parsed(_raw("CreateOrder", _payload(CreateOrder, order_id="ORD-42"))).command.aggregate_id == "ORD-42"


def test_an_idempotency_key_gives_a_command_id_per_actor_and_key() -> None:
    raw = _raw("SubmitOrder", _payload(SubmitOrder), idempotency_key="k-1")
    first, again = _parsed(raw), _parsed(raw)
    other_actor = _parsed(raw, context=BatchContext("ops", CORRELATION, CONTEXT.status_url_prefix))
    other_key = _parsed(_raw("SubmitOrder", _payload(SubmitOrder), idempotency_key="k-2"))
    assert first.command.id == again.command.id == idempotent_command_id(ACTOR, "k-1")
    assert first.idempotency_scope == str(first.command.id)
    assert other_actor.command.id != first.command.id
    assert other_key.command.id != first.command.id


def test_without_an_idempotency_key_each_line_gets_a_new_command_id() -> None:
    raw = _raw("SubmitOrder", _payload(SubmitOrder))
    assert _parsed(raw).command.id != _parsed(raw).command.id


def test_expected_version_becomes_the_envelope_version() -> None:
    assert _parsed(_raw("SubmitOrder", _payload(SubmitOrder), expected_version=4)).command.version == 4


@pytest.mark.parametrize(("raw", "field"), [
    pytest.param(b"{not json", "line", id="invalid-json"),
    pytest.param(b"[]", "line", id="not-an-object"),
    pytest.param(_raw("Teleport", {}), "type", id="unknown-type"),
    pytest.param(_raw("OrderCreated", {}), "type", id="event-type"),
    pytest.param(json.dumps({"type": 5, "payload": {}}).encode(), "type", id="type-not-a-string"),
    pytest.param(json.dumps({"type": "SubmitOrder"}).encode(), "payload", id="payload-missing"),
    pytest.param(_raw("SubmitOrder", _payload(SubmitOrder), colour="red"), "colour", id="unknown-top-level-field"),
    pytest.param(_raw("SubmitOrder", _payload(SubmitOrder), expected_version=-1), "expected_version",
                 id="negative-version"),
    pytest.param(_raw("SubmitOrder", _payload(SubmitOrder), idempotency_key=""), "idempotency_key", id="empty-key"),
    pytest.param(_raw("AddItem", _payload(AddItem) | {"quantity": 0}), "payload.quantity",
                 id="payload-value"),
    pytest.param(_raw("AddItem", _payload(AddItem, "product_name")), "payload.product_name", id="payload-missing-field"),
    pytest.param(_raw("SubmitOrder", _payload(SubmitOrder) | {"colour": "red"}), "payload.colour",
                 id="payload-unknown-field"),
    pytest.param(_raw("CreateOrder", _payload(CreateOrder) | {"items": [{**FIRST_LINE.model_dump(mode="json"), "quantity": 0}]}),
                 "payload.items.0.quantity", id="payload-nested"),
])
def test_an_invalid_line_is_refused_naming_the_field(raw: bytes, field: str) -> None:
    errors = _refused(raw, number=3)
    assert [error["field"] for error in errors] == [field]
    assert all(error["reason"] for error in errors)


# answer_batch


class _RecordingBus:
    """Accepts every command but the ones whose aggregate is listed as reusing a key."""

    def __init__(self, mismatched: Collection[str] = ()) -> None:
        self.dispatched: list[list[Outgoing]] = []
        self._mismatched = mismatched

    async def dispatch_in_order(self, batch: Sequence[Outgoing]) -> asyncio.Future[list[Exception | None]]:
        self.dispatched.append(list(batch))
        answered: asyncio.Future[list[Exception | None]] = asyncio.get_running_loop().create_future()
        answered.set_result([IdempotencyMismatch("reused") if item.command.aggregate_id in self._mismatched else None
                             for item in batch])
        return answered


async def _answered(groups: Lines, bus: _RecordingBus) -> list[dict[str, Any]]:
    async def produced() -> AsyncIterator[list[tuple[int, bytes | None]]]:
        for group in groups:
            yield group

    body = b"".join([chunk async for chunk in answer_batch(produced(), bus, CONTEXT)])
    return [json.loads(line) for line in body.splitlines()]


async def test_a_batch_answers_every_line_in_input_order() -> None:
    bus = _RecordingBus(mismatched={"ORD-9"})
    good = _raw("SubmitOrder", _payload(SubmitOrder))
    reused = _raw("SubmitOrder", _payload(SubmitOrder, order_id="ORD-9"), idempotency_key="k")
    results = await _answered([[(1, good), (2, b"{oops"), (3, None)], [(4, reused)]], bus)
    assert [(result["line"], result["status"]) for result in results] == [(1, 202), (2, 422), (3, 413), (4, 422)]
    sent = bus.dispatched[0][0].command
    assert results[0] == {"line": 1, "status": 202, "command_id": str(sent.id), "aggregate_id": ORDER_ID,
                          "status_url": f"/commands/{sent.id}"}
    assert results[3]["errors"][0]["field"] == "idempotency_key"
    assert [len(batch) for batch in bus.dispatched] == [1, 1]
