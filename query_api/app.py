"""Composition root of the query API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from ops.settings import Settings
from query_api.routes import orders


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=10)
        try:
            yield
        finally:
            await app.state.es.close()

    app = FastAPI(title="orderflow query API", version="0.1.0", lifespan=lifespan)
    app.include_router(orders.router)

    @app.get("/health", tags=["operations"])
    async def health() -> JSONResponse:
        try:
            reachable = (await app.state.es.cluster.health(timeout="1s"))["status"] in ("green", "yellow")
        except (ApiError, TransportError):
            reachable = False
        return JSONResponse({"status": "ok" if reachable else "elasticsearch unreachable"}, status_code=200 if reachable else 503)

    return app
