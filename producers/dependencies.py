"""Request-scoped pieces shared by the routes, as Annotated dependency aliases."""

import uuid
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request

from ops.settings import Settings
from producers.commands import CommandBus, CommandContext


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_bus(request: Request) -> CommandBus:
    return request.app.state.bus


def command_context(
    if_match: Annotated[str | None, Header(description="Expected aggregate version")] = None,
    x_correlation_id: Annotated[uuid.UUID | None, Header()] = None,
) -> CommandContext:
    return CommandContext(
        actor="anonymous", correlation_id=x_correlation_id or uuid.uuid4(), expected_version=_version(if_match),
    )


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    text = if_match.strip().strip('"').removeprefix("W/").strip('"')
    if not text.isdigit():
        raise HTTPException(422, detail=[{"loc": ["header", "If-Match"], "msg": "must be an aggregate version (an integer)", "type": "value_error"}])
    return int(text)


def wait_seconds(
    settings: Annotated[Settings, Depends(get_settings)],
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for the decision")] = 0.0,
) -> float:
    return min(wait, settings.max_wait_s)


Bus = Annotated[CommandBus, Depends(get_bus)]
Context = Annotated[CommandContext, Depends(command_context)]
WaitSeconds = Annotated[float, Depends(wait_seconds)]
