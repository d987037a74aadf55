"""The status of a command by id, and the NDJSON batch endpoint."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from common.ids import random_uuid
from common.web.limits import discard
from producers.answers import CommandDecision, decision_of, status_url_prefix
from producers.batch import BatchContext, BatchTooLarge, answer_batch, ndjson_lines
from producers.commands import CommandBus
from producers.dependencies import Follower, Writer, get_settings
from producers.settings import CommandApiSettings
from producers.store import CommandStore
from schemas.outcomes import OutcomeStatus

router = APIRouter(prefix="/commands", tags=["commands"])


class DuplexStreamingResponse(StreamingResponse):
    """Streams while the request body is still being read.

    The base class also reads ``receive`` to notice a disconnect, which would take body
    pieces away from the route; here reading the body itself notices the disconnect.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)

BATCH_EXAMPLE = (
    '{"type": "CreateOrder", "payload": {"order_id": "ORD-1", "customer_id": "CUST-1"}, "idempotency_key": "k-1"}\n'
    '{"type": "AddItem", "payload": {"order_id": "ORD-1", "product_id": "P-1", "product_name": "Pen", '
    '"quantity": 3, "unit_price": "1.50"}}\n'
    '{"type": "SubmitOrder", "payload": {"order_id": "ORD-1"}, "expected_version": 2}\n'
)


@router.get("/{command_id}", name="command_status", response_model=CommandDecision,
            responses={404: {"description": "No command with this id was sent through this API"}})
async def command_status(command_id: uuid.UUID, request: Request, caller: Follower) -> CommandDecision:
    """The outcome of a command: `pending` until the worker decided it, then `accepted` or `rejected`."""
    store: CommandStore = request.app.state.store
    outcome = store.outcome(command_id)
    if outcome is not None:
        return decision_of(outcome)
    pending = store.pending(command_id)
    if pending is None:
        raise HTTPException(404, detail=f"no command {command_id} is known")
    return CommandDecision(command_id=command_id, aggregate_id=pending.aggregate_id, status=OutcomeStatus.PENDING)


@router.post(
    "/batch", response_class=DuplexStreamingResponse,
    openapi_extra={"requestBody": {"required": True, "content": {"application/x-ndjson": {
        "schema": {"type": "string"}, "example": BATCH_EXAMPLE}}}},
    responses={200: {"description": "One JSON result per non-blank input line, in order: "
                                    "`{line, status: 202, command_id, aggregate_id, status_url}` or "
                                    "`{line, status: 4xx/503, errors|error}`",
                      "content": {"application/x-ndjson": {}}},
               413: {"description": "Content-Length above the batch limit"}},
)
async def batch(request: Request, caller: Writer, settings: Annotated[CommandApiSettings, Depends(get_settings)],
                x_correlation_id: Annotated[uuid.UUID | None, Header()] = None) -> DuplexStreamingResponse:
    """Many commands in one request: each line is `{type, payload, idempotency_key?, expected_version?}`.

    Lines are answered as they are read; a bad line gets its own error and the others still go through.
    """
    bus: CommandBus = request.app.state.bus
    context = BatchContext(caller.name, x_correlation_id or random_uuid(), status_url_prefix(request))
    body = request.stream()
    lines = ndjson_lines(body, settings.max_body_bytes, settings.max_batch_bytes)

    async def results() -> AsyncIterator[bytes]:
        try:
            async for chunk in answer_batch(lines, bus, context):
                yield chunk
        except BatchTooLarge as error:
            yield (json.dumps({"line": None, "status": 413, "error": str(error)}) + "\n").encode()
            await discard(body, settings.max_discarded_body_bytes)  # so that the client reads the line above

    return DuplexStreamingResponse(results(), media_type="application/x-ndjson")
