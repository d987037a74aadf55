"""Pieces every command route shares."""

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict

from producers.answers import answer
from producers.dependencies import Bus, Context
from schemas.envelope import Payload


def examples(*bodies: dict[str, object]) -> ConfigDict:
    """OpenAPI examples for a request body model."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


async def send(payload: Payload, request: Request, bus: Bus, context: Context, wait: float) -> JSONResponse:
    return answer(await bus.send(payload, context, wait), request)
