"""A 422 always names the field: ``field`` is the dotted path of what was wrong, ``reason`` says why."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def field_error(location: tuple[str | int, ...] | list[str | int], reason: str, kind: str = "value_error") -> dict[str, Any]:
    """One error entry; the first part of ``location`` is where it came from (body, query, path, header)."""
    inside = [str(part) for part in location[1:]] or [str(part) for part in location]
    return {"loc": list(location), "field": ".".join(inside), "reason": reason, "msg": reason, "type": kind}


def validation_errors(errors: list[Any]) -> list[dict[str, Any]]:
    return [field_error(_location(error), error["msg"], error["type"]) for error in errors]


def _location(error: dict[str, Any]) -> tuple[str | int, ...]:
    """Unreadable JSON is located at a character offset; the field to name is then the whole body."""
    location = tuple(error["loc"])
    return location[:1] if error["type"] == "json_invalid" else location


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_errors(list(error.errors()))}, status_code=422)
