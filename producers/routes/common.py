"""Pieces every command route shares."""

from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from producers.answers import answer
from producers.commands import CommandBus
from producers.dependencies import IncomingCommand
from schemas.envelope import Payload

P = TypeVar("P", bound=Payload)


def examples(*bodies: JsonDict) -> ConfigDict:
    """OpenAPI examples for a request body model."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


async def send(payload: Payload, command: IncomingCommand) -> JSONResponse:
    bus: CommandBus = command.request.app.state.bus
    return answer(await bus.send(payload, command.context, command.wait_s), command.request)


def completed(model: type[P], body: BaseModel | None = None, **ids: Any) -> P:
    """The command from its body and its aggregate id, without validating the body a second time.

    The body was validated as a subclass of ``model`` whose only difference is an optional id; the id comes
    from the path, validated there with the same constraints, or is assigned by the API.
    """
    values = {**(dict(body) if body is not None else {}), **ids}
    return model.model_construct(**values)  # type: ignore[return-value]  # pydantic's mypy plugin returns P's bound
