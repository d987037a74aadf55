"""What the caller gets when a read cannot be answered; never a bare 500.

Parameters are checked before anything reaches Elasticsearch, so a 400 from it is rare; when one comes it was
still caused by what the caller asked: 422 with Elasticsearch's reason. Elasticsearch overloaded or out of reach:
503 with ``Retry-After``. Any other failure is not the caller's: 502 with an error id that is also in the log.
"""

import logging
from typing import Any

from elasticsearch import ApiError, BadRequestError, ConnectionTimeout, TransportError
from elasticsearch import ConnectionError as EsConnectionError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from common.web.errors import field_error, logged_failure
from query_api.cursors import BadCursor

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
BUSY_STATUSES = frozenset({429, 503})
UNAVAILABLE = "Elasticsearch is unavailable, try again shortly"
FAILED = "Elasticsearch could not answer this read"


class UnexpectedAnswer(Exception):
    """Elasticsearch answered, but not with what a read of this kind gets."""


def root_cause(body: Any) -> str:
    """The innermost reason Elasticsearch gives for a refusal."""
    error = body.get("error") if isinstance(body, dict) else None
    reason = error if isinstance(error, str) else None
    while isinstance(error, dict):
        reason = error.get("reason") or reason
        causes = error.get("root_cause") or [error.get("caused_by")]
        error = causes[0] if causes else None
    return str(reason or body)


def unavailable() -> JSONResponse:
    return JSONResponse({"detail": UNAVAILABLE}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})


def install_search_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BadCursor)
    async def forged_cursor(request: Request, error: BadCursor) -> JSONResponse:
        return JSONResponse({"detail": [field_error(("query", "cursor"), str(error))]}, status_code=422)

    @app.exception_handler(BadRequestError)
    async def refused_request(request: Request, error: BadRequestError) -> JSONResponse:
        reason = root_cause(error.body)
        log.warning("Elasticsearch refused %s %s: %s", request.method, request.url, reason)
        return JSONResponse({"detail": [field_error(("query",), f"Elasticsearch refused the request: {reason}")]},
                            status_code=422)

    @app.exception_handler(ApiError)
    async def failed_request(request: Request, error: ApiError) -> JSONResponse:
        if error.meta.status in BUSY_STATUSES:
            return unavailable()
        return logged_failure(request, 502, FAILED, error)

    async def out_of_reach(request: Request, error: Exception) -> JSONResponse:
        return unavailable()

    app.add_exception_handler(EsConnectionError, out_of_reach)
    app.add_exception_handler(ConnectionTimeout, out_of_reach)

    @app.exception_handler(TransportError)
    async def transport_failed(request: Request, error: TransportError) -> JSONResponse:
        return logged_failure(request, 502, FAILED, error)

    @app.exception_handler(UnexpectedAnswer)
    async def unexpected_answer(request: Request, error: UnexpectedAnswer) -> JSONResponse:
        return logged_failure(request, 502, FAILED, error)
