"""Request-scoped pieces shared by the routes, as Annotated dependency aliases.

All are ``async def``: FastAPI runs a plain ``def`` dependency in the thread pool, a hop per dependency
and request that costs more than the dependency itself.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, Field, ValidationError

from common.ids import random_uuid
from common.web.auth import Caller, authenticate, require
from common.web.errors import field_error
from producers.commands import CommandContext
from producers.settings import CommandApiSettings


async def get_settings(request: Request) -> CommandApiSettings:
    return request.app.state.settings


Writer = Annotated[Caller, Depends(require("write"))]
# Whoever may send commands may also follow them.
Follower = Annotated[Caller, Depends(require("read", "write"))]


class CommandParameters(BaseModel):
    """The headers and the query parameter every command route takes, validated together in one pass."""

    if_match: str | None = Field(None, description="Expected aggregate version (`7`, `\"7\"` or `W/\"7\"`): a "
                                                   "mismatch is a version_conflict")
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="Same key and same body: same answer and one effect. Same key, other body: 422.")
    x_correlation_id: uuid.UUID | None = Field(None, description="Carried on the command and its events")
    wait: Annotated[float, Field(ge=0)] = Field(
        0.0, description="Seconds to wait for the decision (202 if it takes longer)")


# Where each parameter is read, as a 422 names it.
PARAMETER_LOCATIONS: dict[str, tuple[str, str]] = {
    "if_match": ("header", "If-Match"), "idempotency_key": ("header", "Idempotency-Key"),
    "x_correlation_id": ("header", "X-Correlation-Id"), "wait": ("query", "wait"),
}


def command_parameters_openapi() -> dict[str, Any]:
    """The parameters for the OpenAPI document: they are read by hand, so FastAPI does not list them itself."""
    properties = CommandParameters.model_json_schema()["properties"]
    return {"parameters": [
        {"name": name, "in": where, "required": False, "description": properties[field].pop("description", ""),
         "schema": properties[field]}
        for field, (where, name) in PARAMETER_LOCATIONS.items()
    ]}


@dataclass(frozen=True, slots=True)
class IncomingCommand:
    """What a command request brings besides its body: who sends it, in which context, how long it waits."""

    request: Request
    context: CommandContext
    wait_s: float


async def incoming_command(request: Request) -> IncomingCommand:
    """One dependency for all of it: FastAPI's per-dependency and per-parameter work costs more than reading four
    values, and command routes run thousands of times a second."""
    settings: CommandApiSettings = request.app.state.settings
    caller = authenticate(request, "write")
    headers, query = request.headers, request.query_params
    try:
        parameters = CommandParameters.model_validate({
            "if_match": headers.get("if-match"), "idempotency_key": headers.get("idempotency-key"),
            "x_correlation_id": headers.get("x-correlation-id"), "wait": query.get("wait", 0.0),
        })
    except ValidationError as error:
        raise HTTPException(422, detail=[field_error(PARAMETER_LOCATIONS[str(entry["loc"][0])], entry["msg"], entry["type"])
                                         for entry in error.errors()]) from None
    context = CommandContext(
        actor=caller.name, correlation_id=parameters.x_correlation_id or random_uuid(),
        expected_version=parse_version(parameters.if_match, PARAMETER_LOCATIONS["if_match"]),
        idempotency_key=parameters.idempotency_key,
    )
    return IncomingCommand(request, context, min(parameters.wait, settings.max_wait_s))


def parse_version(text: str | None, location: tuple[str, ...]) -> int | None:
    """``7``, ``"7"`` or ``W/"7"``: an ETag-style aggregate version."""
    if text is None:
        return None
    cleaned = text.strip().removeprefix("W/").strip('"')
    if not cleaned.isdigit():
        raise HTTPException(422, detail=[field_error(location, "must be an aggregate version (a whole number)")])
    return int(cleaned)


Incoming = Annotated[IncomingCommand, Depends(incoming_command)]
COMMAND_PARAMETERS = command_parameters_openapi()
