"""Request-scoped pieces shared by the routes, as Annotated dependency aliases."""

import uuid
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request

from ops.settings import Settings
from ops.web.auth import Caller, require
from ops.web.errors import field_error
from producers.commands import CommandBus, CommandContext


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_bus(request: Request) -> CommandBus:
    return request.app.state.bus


Writer = Annotated[Caller, Depends(require("write"))]
# Whoever may send commands may also follow them.
Follower = Annotated[Caller, Depends(require("read", "write"))]


def command_context(
    caller: Writer,
    if_match: Annotated[str | None, Header(description="Expected aggregate version: a mismatch is a version_conflict")] = None,
    idempotency_key: Annotated[str | None, Header(
        min_length=1, max_length=200,
        description="Same key and same body: same answer and one effect. Same key, other body: 422.",
    )] = None,
    x_correlation_id: Annotated[uuid.UUID | None, Header(description="Carried on the command and its events")] = None,
) -> CommandContext:
    return CommandContext(
        actor=caller.name, correlation_id=x_correlation_id or uuid.uuid4(),
        expected_version=parse_version(if_match, ("header", "If-Match")), idempotency_key=idempotency_key,
    )


def parse_version(text: str | None, location: tuple[str, ...]) -> int | None:
    """``7``, ``"7"`` or ``W/"7"``: an ETag-style aggregate version."""
    if text is None:
        return None
    cleaned = text.strip().removeprefix("W/").strip('"')
    if not cleaned.isdigit():
        raise HTTPException(422, detail=[field_error(location, "must be an aggregate version (a whole number)")])
    return int(cleaned)


def wait_seconds(
    settings: Annotated[Settings, Depends(get_settings)],
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for the decision (202 if it takes longer)")] = 0.0,
) -> float:
    return min(wait, settings.max_wait_s)


Bus = Annotated[CommandBus, Depends(get_bus)]
Context = Annotated[CommandContext, Depends(command_context)]
WaitSeconds = Annotated[float, Depends(wait_seconds)]
