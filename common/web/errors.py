"""A 422 always names the field: ``field`` is the dotted path of what was wrong, ``reason`` says why.

A failure that is not the caller's is answered with an error id that is also in the log, never a bare 500.
"""

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)


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


def logged_failure(request: Request, status_code: int, detail: str, error: BaseException,
                   *, traceback: bool = False) -> JSONResponse:
    """``detail`` with a new error id for the caller; the same id, the request and ``error`` in the log."""
    error_id = uuid.uuid4().hex
    log.error("error %s: %s %s answered %d: %r", error_id, request.method, request.url.path, status_code, error,
              exc_info=error if traceback else None)
    return JSONResponse({"detail": f"{detail} (error id {error_id})", "error_id": error_id}, status_code=status_code)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_errors(list(error.errors()))}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return logged_failure(request, 500, "internal error", error, traceback=True)
