"""Elasticsearch out of reach is a 503 for the caller, not a 500."""

from elasticsearch import TransportError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def install_search_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TransportError)
    async def search_unreachable(request: Request, error: TransportError) -> JSONResponse:
        return JSONResponse({"detail": "Elasticsearch is unreachable, try again shortly"}, status_code=503,
                            headers={"Retry-After": "5"})
