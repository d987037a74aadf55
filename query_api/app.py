"""Composition root of the query API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry
from pydantic import BaseModel

from common.clients import elasticsearch_options
from common.web.errors import install_error_handlers
from common.web.metrics import RequestTimer, add_metrics_endpoint, request_latency
from query_api.console import install_console
from query_api.errors import install_search_error_handlers
from query_api.metrics import scraped_metrics
from query_api.routes import customers, inventory, orders, stats
from query_api.settings import QueryApiSettings


class Health(BaseModel):
    status: str


def create_app(settings: QueryApiSettings | None = None) -> FastAPI:
    settings = settings or QueryApiSettings()
    registry = CollectorRegistry()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.es = AsyncElasticsearch(**elasticsearch_options(settings), request_timeout=10)
        try:
            with scraped_metrics(registry, settings):
                yield
        finally:
            await app.state.es.close()

    app = FastAPI(title="orderflow query API", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(RequestTimer, latency=request_latency(registry))
    install_error_handlers(app)
    install_search_error_handlers(app)
    app.include_router(orders.router)
    app.include_router(stats.router)
    app.include_router(customers.router)
    app.include_router(inventory.router)
    add_metrics_endpoint(app, registry)
    install_console(app, settings)

    @app.get("/health", tags=["operations"], response_model=Health, responses={503: {"model": Health}})
    async def health() -> JSONResponse:
        try:
            reachable = (await app.state.es.cluster.health(timeout="1s"))["status"] in ("green", "yellow")
        except (ApiError, TransportError):
            reachable = False
        return JSONResponse({"status": "ok" if reachable else "elasticsearch unreachable"}, status_code=200 if reachable else 503)

    return app
