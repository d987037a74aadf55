"""Dead letters over HTTP: list them, and send one back to the topic it came from (what `orderflow deadletter` does).

Both need the ``admin`` scope: a dead letter holds the record's original bytes, and a resend writes to any topic
the worker reads.
"""

import asyncio
import base64
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from common.deadletters import (
    BadHandle,
    Entry,
    Handle,
    KafkaUnavailable,
    NoDeadLetter,
    NotResendable,
    list_dead_letters,
    parse_handle,
    resend,
)
from common.web.auth import require
from common.web.errors import field_error

router = APIRouter(prefix="/deadletters", tags=["dead letters"], dependencies=[Depends(require("admin"))])
MAX_LISTED = 500
HANDLE_PATTERN = r"^[0-9]{1,10}:[0-9]{1,19}$"
RETRY_AFTER_S = 5

KAFKA_AWAY: dict[int | str, dict[str, Any]] = {503: {"description": "Kafka cannot be reached or read in time"}}


class DeadLetterItem(BaseModel):
    handle: str = Field(description="`<partition>:<offset>` of the dead letter on the deadletter topic")
    dead_at: datetime
    source_topic: str
    partition: int = Field(description="Partition of the original record on its source topic")
    offset: int = Field(description="Offset of the original record on its source topic")
    key: str | None
    error: str = Field(description="Why the worker could not process the record")
    value: str = Field(description="The original record: text, or base64 when value_encoding says so")
    value_encoding: str


class DeadLetterList(BaseModel):
    data: list[DeadLetterItem] = Field(description="Oldest first; the newest `limit` of them")
    unreadable: int = Field(description="Records on the deadletter topic that are not dead letters")


class ResendRequest(BaseModel):
    value: str | None = Field(None, description="A corrected record to send instead of the original one")
    value_encoding: Literal["utf-8", "base64"] = "utf-8"
    force: bool = Field(False, description="Send it even if the worker would dead-letter it again")


class Resent(BaseModel):
    handle: str
    topic: str
    partition: int
    offset: int


def item(entry: Entry) -> DeadLetterItem:
    return DeadLetterItem(handle=str(entry.handle), dead_at=entry.dead_at, **entry.letter.model_dump())


def kafka_away(error: KafkaUnavailable) -> HTTPException:
    return HTTPException(503, detail=str(error), headers={"Retry-After": str(RETRY_AFTER_S)})


def corrected_value(body: ResendRequest, max_bytes: int) -> bytes | None:
    if body.value is None:
        return None
    base64_value = body.value_encoding == "base64"
    try:
        value = base64.b64decode(body.value, validate=True) if base64_value else body.value.encode("utf-8")
    except ValueError:  # binascii.Error, non-ASCII base64, or lone surrogates that UTF-8 cannot hold
        reason = "not valid base64" if base64_value else "not text that UTF-8 can hold"
        raise HTTPException(422, detail=[field_error(("body", "value"), reason)]) from None
    if len(value) > max_bytes:
        raise HTTPException(422, detail=[field_error(("body", "value"), f"larger than {max_bytes} bytes")])
    return value


@router.get("", response_model=DeadLetterList, responses=KAFKA_AWAY)
async def get_dead_letters(
    request: Request,
    topic: Annotated[str | None, Query(max_length=249, description="Only those from this source topic")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED, description="Only the newest N")] = 50,
) -> DeadLetterList:
    """The dead letters, read from the start of the deadletter topic to its end."""
    try:
        listing = await asyncio.to_thread(list_dead_letters, request.app.state.kafka, topic, limit)
    except KafkaUnavailable as error:
        raise kafka_away(error) from None
    return DeadLetterList(data=[item(entry) for entry in listing.entries], unreadable=listing.unreadable)


@router.post("/{handle}/resend", response_model=Resent, responses={
    404: {"description": "No dead letter at this handle"},
    422: {"description": "The record (as it was, or corrected) would be dead-lettered again, or has nowhere to go"},
    **KAFKA_AWAY,
})
async def resend_dead_letter(
    request: Request, handle: Annotated[str, Path(pattern=HANDLE_PATTERN, examples=["0:17"])],
    body: ResendRequest | None = None,
) -> Resent:
    """Produce the dead letter's record, or the corrected `value`, to its source topic with its original key."""
    settings = request.app.state.settings
    body = body or ResendRequest()
    corrected = corrected_value(body, settings.max_record_bytes)
    try:
        landed = await asyncio.to_thread(resend, request.app.state.kafka, checked_handle(handle), corrected, body.force)
    except NoDeadLetter as error:
        raise HTTPException(404, detail=str(error)) from None
    except NotResendable as error:
        raise HTTPException(422, detail=[field_error(("body", "value"), f"{error}; send a corrected value, or force")]) from None
    except KafkaUnavailable as error:
        raise kafka_away(error) from None
    return Resent(handle=handle, topic=landed.topic, partition=landed.partition, offset=landed.offset)


def checked_handle(text: str) -> Handle:
    try:
        return parse_handle(text)
    except BadHandle as error:
        raise HTTPException(422, detail=[field_error(("path", "handle"), str(error))]) from None
