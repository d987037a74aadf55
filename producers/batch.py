"""``POST /commands/batch``: NDJSON in, one result line per command line out, in constant memory.

The body is read as it arrives. The complete lines of each received piece are parsed and produced at once;
their results are written once Kafka confirmed them, while the next pieces are read and produced, with at
most ``MAX_CHUNKS_IN_FLIGHT`` chunks waiting. Memory holds those chunks and at most ``max_line_bytes`` of
a partial line, whatever the body's size.
"""

import asyncio
import json
import uuid
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, NamedTuple, Protocol, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from common.web.errors import field_error, validation_errors
from producers.commands import (
    CommandContext,
    IdempotencyMismatch,
    Outgoing,
    command_envelope,
    new_aggregate_id,
    utc_timestamp,
)
from producers.routes.common import completed
from producers.routes.customers import RegisterCustomerBody
from producers.routes.orders import CreateOrderBody
from schemas.envelope import Payload
from schemas.registry import PUBLIC_COMMAND_ROUTES, payload_model

# Commands that create their aggregate may leave its id out; one is assigned as over single requests.
NEW_ID_PREFIXES = {"CreateOrder": "ORD", "RegisterCustomer": "CUST"}
OPTIONAL_ID_PAYLOADS: dict[str, type[Payload]] = {"CreateOrder": CreateOrderBody, "RegisterCustomer": RegisterCustomerBody}
MAX_LINES_PER_DISPATCH = 2000
MAX_CHUNKS_IN_FLIGHT = 8

IdempotencyKey = Annotated[str, Field(min_length=1, max_length=200)]
ExpectedVersion = Annotated[int, Field(ge=0)]


class BatchLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(examples=["AddItem"])]
    payload: dict[str, Any]
    idempotency_key: IdempotencyKey | None = None
    expected_version: ExpectedVersion | None = None


@cache
def typed_lines() -> TypeAdapter[Any]:
    """Every command's line as one union told apart by ``type``: a valid line is parsed and validated in one
    pass, payload included."""
    models = [
        create_model(f"{name}Line", __config__=ConfigDict(extra="forbid"),
                     type=(Literal[name], ...),  # type: ignore[arg-type]  # a Literal of a run-time name
                     payload=(OPTIONAL_ID_PAYLOADS.get(name) or payload_model(name), ...),
                     idempotency_key=(IdempotencyKey | None, None), expected_version=(ExpectedVersion | None, None))
        for name in sorted(PUBLIC_COMMAND_ROUTES)
    ]
    return TypeAdapter(
        Annotated[Union[tuple(models)], Field(discriminator="type")])  # type: ignore[arg-type]  # noqa: UP007 - built at run time


@dataclass(frozen=True)
class BatchContext:
    actor: str
    correlation_id: uuid.UUID
    status_url_prefix: str


class ParsedLine(NamedTuple):
    number: int
    outgoing: Outgoing | None = None
    error: dict[str, Any] | None = None


def parse_line(number: int, raw: bytes, context: BatchContext, occurred_at: str | None = None) -> ParsedLine:
    """One NDJSON line to an enveloped command, or the 4xx result that says why not."""
    try:
        line = typed_lines().validate_json(raw)
    except ValidationError:
        return _explained(number, raw, context, occurred_at)
    command_context = CommandContext(context.actor, context.correlation_id, line.expected_version, line.idempotency_key)
    payload = line.payload
    if line.type in NEW_ID_PREFIXES:
        id_field = PUBLIC_COMMAND_ROUTES[line.type].aggregate_id_field
        given = getattr(payload, id_field)
        payload = completed(payload_model(line.type), payload, **{
            id_field: given or new_aggregate_id(NEW_ID_PREFIXES[line.type], command_context)})
    envelope = command_envelope(payload, command_context, occurred_at)
    return ParsedLine(number, outgoing=Outgoing(envelope, command_context.idempotency_scope))


def _explained(number: int, raw: bytes, context: BatchContext, occurred_at: str | None) -> ParsedLine:
    """A line the one-pass parse refused, parsed step by step (envelope fields, then the payload) so that the
    errors name the fields as the step that failed sees them."""
    try:
        line = BatchLine.model_validate_json(raw)
        command_context = CommandContext(
            actor=context.actor, correlation_id=context.correlation_id,
            expected_version=line.expected_version, idempotency_key=line.idempotency_key,
        )
        payload = _payload(line, command_context)
    except ValidationError as error:
        return ParsedLine(number, error=_failed(number, 422, errors=validation_errors(_located(error, "line"))))
    except InvalidLine as error:
        return ParsedLine(number, error=_failed(number, 422, errors=error.errors))
    envelope = command_envelope(payload, command_context, occurred_at)
    return ParsedLine(number, outgoing=Outgoing(envelope, command_context.idempotency_scope))


class InvalidLine(ValueError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _payload(line: BatchLine, context: CommandContext) -> Payload:
    route = PUBLIC_COMMAND_ROUTES.get(line.type)
    if route is None:
        reason = f"unknown command type {line.type!r}; one of {', '.join(sorted(PUBLIC_COMMAND_ROUTES))}"
        raise InvalidLine([field_error(("line", "type"), reason)])
    fields = dict(line.payload)
    if line.type in NEW_ID_PREFIXES and not fields.get(route.aggregate_id_field):
        fields[route.aggregate_id_field] = new_aggregate_id(NEW_ID_PREFIXES[line.type], context)
    try:
        return payload_model(line.type).model_validate(fields)
    except ValidationError as error:
        raise InvalidLine(validation_errors(_located(error, "line", "payload"))) from None


def _located(error: ValidationError, *where: str) -> list[Any]:
    """The error entries with ``where`` in front of their location."""
    return [{**item, "loc": (*where, *item["loc"])} for item in error.errors()]


def _failed(number: int, status: int, **details: Any) -> dict[str, Any]:
    return {"line": number, "status": status, **details}


class Dispatcher(Protocol):
    """What a batch needs of the ``CommandBus``."""

    async def dispatch_in_order(self, batch: Sequence[Outgoing]) -> asyncio.Future[list[Exception | None]]: ...


async def answer_batch(lines: AsyncIterator[list[tuple[int, bytes | None]]], bus: Dispatcher,
                       context: BatchContext) -> AsyncIterator[bytes]:
    """Result lines, in input order. A ``None`` line was too long and is refused without parsing."""
    waiting: deque[tuple[list[ParsedLine], asyncio.Future[list[Exception | None]]]] = deque()
    too_large: BatchTooLarge | None = None
    try:
        async for piece in lines:
            for start in range(0, len(piece), MAX_LINES_PER_DISPATCH):
                occurred_at = utc_timestamp()
                parsed = [_parse_or_refuse(number, raw, context, occurred_at)
                          for number, raw in piece[start:start + MAX_LINES_PER_DISPATCH]]
                sendable = [line.outgoing for line in parsed if line.outgoing is not None]
                waiting.append((parsed, await bus.dispatch_in_order(sendable)))
                while waiting and (waiting[0][1].done() or len(waiting) > MAX_CHUNKS_IN_FLIGHT):
                    yield await _results(*waiting.popleft(), context)
    except BatchTooLarge as error:
        too_large = error  # the lines read before are answered first
    while waiting:
        yield await _results(*waiting.popleft(), context)
    if too_large is not None:
        raise too_large


def _parse_or_refuse(number: int, raw: bytes | None, context: BatchContext, occurred_at: str) -> ParsedLine:
    if raw is None:
        return ParsedLine(number, error=_failed(number, 413, error="line is longer than the single-command body limit"))
    return parse_line(number, raw, context, occurred_at)


async def _results(parsed: Sequence[ParsedLine], dispatched: asyncio.Future[list[Exception | None]],
                   context: BatchContext) -> bytes:
    failures = iter(await dispatched)
    prefix = json.dumps(context.status_url_prefix)[:-1]  # the opening quote and the escaped prefix
    results: list[str] = []
    for line in parsed:
        if line.error is not None:
            results.append(json.dumps(line.error) + "\n")
        elif (failure := next(failures)) is None:
            results.append(_accepted(line, prefix))
        else:
            results.append(json.dumps(_refused(line, failure)) + "\n")
    return "".join(results).encode()


def _accepted(line: ParsedLine, quoted_prefix: str) -> str:
    """``json.dumps`` of the accepted result, written directly: it is the line nearly every command gets."""
    assert line.outgoing is not None
    command = line.outgoing.command
    return (f'{{"line": {line.number}, "status": 202, "command_id": "{command.id_text}", '
            f'"aggregate_id": {json.dumps(command.aggregate_id)}, "status_url": {quoted_prefix}{command.id_text}"}}\n')


def _refused(line: ParsedLine, failure: Exception | None) -> dict[str, Any]:
    if isinstance(failure, IdempotencyMismatch):
        return _failed(line.number, 422, errors=[field_error(("line", "idempotency_key"), str(failure))])
    return _failed(line.number, 503, error=f"not stored by Kafka, retry this line: {failure}")


class BatchTooLarge(Exception):
    pass


async def ndjson_lines(body: AsyncIterable[bytes], max_line_bytes: int, max_total_bytes: int,
                       ) -> AsyncIterator[list[tuple[int, bytes | None]]]:
    """Numbered non-blank lines, grouped by the body piece that completed them; a too-long line comes as ``None``.

    Raises ``BatchTooLarge`` once more than ``max_total_bytes`` arrived; the complete lines within the
    limit are answered first, however the body was cut into pieces on the way.
    """
    number, total, partial, overlong = 0, 0, b"", False
    async for received in body:
        piece = received[:max(max_total_bytes - total, 0)]
        total += len(received)
        *complete, partial = (partial + piece).split(b"\n")
        ready: list[tuple[int, bytes | None]] = []
        for raw in complete:
            if raw.strip() or overlong:
                number += 1
                ready.append((number, None if overlong or len(raw) > max_line_bytes else raw))
            overlong = False
        if len(partial) > max_line_bytes:
            partial, overlong = b"", True
        if ready:
            yield ready
        if total > max_total_bytes:
            raise BatchTooLarge(f"the batch is larger than {max_total_bytes} bytes; lines after {number} were not read")
    if partial.strip() or overlong:
        yield [(number + 1, None if overlong else partial)]
