"""``POST /commands/batch``: NDJSON in, one result line per command line out, in constant memory.

The body is read as it arrives; the complete lines of each received piece are parsed,
published together, and answered before the next piece is read, so memory holds one
piece (at most ``max_line_bytes`` of a partial line) whatever the body's size.
"""

import json
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ops.web.errors import field_error, validation_errors
from producers.commands import (
    CommandBus, CommandContext, IdempotencyMismatch, Outgoing, command_envelope, new_aggregate_id,
)
from schemas.envelope import Payload
from schemas.registry import PUBLIC_COMMAND_ROUTES, payload_model

# Commands that create their aggregate may leave its id out; one is assigned as over single requests.
NEW_ID_PREFIXES = {"CreateOrder": "ORD", "RegisterCustomer": "CUST"}
MAX_LINES_PER_DISPATCH = 2000


class BatchLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(examples=["AddItem"])]
    payload: dict[str, Any]
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    expected_version: Annotated[int, Field(ge=0)] | None = None


@dataclass(frozen=True)
class BatchContext:
    actor: str
    correlation_id: uuid.UUID
    status_url: Callable[[uuid.UUID], str]


@dataclass(frozen=True)
class ParsedLine:
    number: int
    outgoing: Outgoing | None = None
    error: dict[str, Any] | None = None


def parse_line(number: int, raw: bytes, context: BatchContext) -> ParsedLine:
    """One NDJSON line to an enveloped command, or the 4xx result that says why not."""
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
    envelope = command_envelope(payload, command_context)
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


async def answer_batch(lines: AsyncIterator[list[tuple[int, bytes | None]]], bus: CommandBus,
                       context: BatchContext) -> AsyncIterator[bytes]:
    """Result lines, in input order. A ``None`` line was too long and is refused without parsing."""
    async for piece in lines:
        for start in range(0, len(piece), MAX_LINES_PER_DISPATCH):
            parsed = [_parse_or_refuse(number, raw, context) for number, raw in piece[start:start + MAX_LINES_PER_DISPATCH]]
            yield await _dispatch(parsed, bus, context)


def _parse_or_refuse(number: int, raw: bytes | None, context: BatchContext) -> ParsedLine:
    if raw is None:
        return ParsedLine(number, error=_failed(number, 413, error="line is longer than the single-command body limit"))
    return parse_line(number, raw, context)


async def _dispatch(parsed: list[ParsedLine], bus: CommandBus, context: BatchContext) -> bytes:
    sendable = [line for line in parsed if line.outgoing is not None]
    failures = dict(zip((line.number for line in sendable),
                        await bus.dispatch([line.outgoing for line in sendable if line.outgoing]), strict=True))
    results = [line.error or _result(line, failures.get(line.number), context) for line in parsed]
    return b"".join(json.dumps(result).encode() + b"\n" for result in results)


def _result(line: ParsedLine, failure: Exception | None, context: BatchContext) -> dict[str, Any]:
    assert line.outgoing is not None
    command = line.outgoing.command
    if isinstance(failure, IdempotencyMismatch):
        return _failed(line.number, 422, errors=[field_error(("line", "idempotency_key"), str(failure))])
    if failure is not None:
        return _failed(line.number, 503, error=f"not stored by Kafka, retry this line: {failure}")
    return {"line": line.number, "status": 202, "command_id": str(command.id), "aggregate_id": command.aggregate_id,
            "status_url": context.status_url(command.id)}


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
