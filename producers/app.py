"""Composition root of the command API."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from common.clients import kafka_options
from common.kafka import producer_config
from common.lag import CachedLag, GroupLag, LagCollector
from common.web.errors import install_error_handlers
from common.web.limits import BodyLimit
from common.web.metrics import RequestTimer, add_metrics_endpoint, request_latency
from producers.answers import StatusUrls, install_command_error_handlers
from producers.batch import typed_lines
from producers.commands import CommandBus
from producers.metrics import CommandMetrics
from producers.outcomes import OutcomeWatcher
from producers.publisher import KafkaPublisher
from producers.routes import commands, customers, deadletters, inventory, orders
from producers.settings import CommandApiSettings
from producers.store import CommandStore
from schemas.topics import COMMAND_TOPICS

BATCH_PATH = "/commands/batch"


def create_app(settings: CommandApiSettings | None = None) -> FastAPI:
    settings = settings or CommandApiSettings()
    registry = CollectorRegistry()
    kafka = kafka_options(settings)
    # FastAPI's own OpenTelemetry hooks are off: they look up the global providers on every request, and the
    # API's metrics are its Prometheus ones.
    app = FastAPI(title="orderflow command API", version="0.1.0",
                  lifespan=partial(run_clients, settings=settings, kafka=kafka, registry=registry),
                  telemetry={"tracing": False, "metrics": False, "logs": False},
                  description="Commands for orders, customers and stock. Every command is published to Kafka and decided "
                              "by the worker; add `?wait=<seconds>` to get the decision in the answer.")
    app.state.settings = settings
    app.state.kafka = kafka  # the dead-letter routes' clients reach the cluster with these
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, streamed={BATCH_PATH: settings.max_batch_bytes},
                       max_discarded_bytes=settings.max_discarded_body_bytes)
    app.add_middleware(RequestTimer, latency=request_latency(registry))
    allow_the_console(app, settings)
    install_error_handlers(app)
    install_command_error_handlers(app)
    for router in (orders.router, customers.router, inventory.router, commands.router, deadletters.router):
        app.include_router(router)
    add_metrics_endpoint(app, registry)
    app.add_api_route("/health", health, methods=["GET"], tags=["operations"],
                      responses={503: {"description": "What cannot work now, by part"}})
    app.state.status_urls = StatusUrls(app.url_path_for("command_status", command_id="-").removesuffix("-"))
    return app


@asynccontextmanager
async def run_clients(app: FastAPI, *, settings: CommandApiSettings, kafka: dict[str, Any],
                      registry: CollectorRegistry) -> AsyncIterator[None]:
    """The API's clients, built when it starts and closed when it stops: the local store, the Kafka producer, the
    outcome follower and the decider lag."""
    loop = asyncio.get_running_loop()
    store = CommandStore(settings.data_dir / "command-api")
    publisher = KafkaPublisher(producer_config(kafka, settings.publish_timeout_s))
    metrics = CommandMetrics(registry, lambda: publisher.queue_depth)
    watcher = OutcomeWatcher(kafka, store, on_outcome=metrics.on_outcome)
    decider_lag = GroupLag(kafka, settings.worker_id)
    cached_lag = CachedLag(partial(decider_lag.lag, COMMAND_TOPICS))
    registry.register(LagCollector("orderflow_decider_lag_records", cached_lag.rows,
                                   "Command records the worker has not decided yet, per partition"))
    typed_lines()  # built now rather than by the first batch request
    store.start(loop)
    publisher.start(loop)
    cached_lag.start()
    await asyncio.to_thread(watcher.start, loop)
    app.state.store = store
    app.state.bus = CommandBus(publisher, watcher, store, on_published=metrics.on_published)
    app.state.health = {"kafka": publisher, "outcomes": watcher, "store": store}
    try:
        yield
    finally:
        watcher.stop()
        cached_lag.stop()
        await asyncio.to_thread(publisher.close)
        store.close()
        decider_lag.close()


async def health(request: Request) -> JSONResponse:
    """`ok`, or 503 naming each part that cannot work now: `kafka` (the producer cannot reach a broker),
    `outcomes` (decisions are not being saved), `store` (the local store cannot be written)."""
    problems = {name: part.problem for name, part in request.app.state.health.items() if part.problem is not None}
    if problems:
        return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ok"})


def allow_the_console(app: FastAPI, settings: CommandApiSettings) -> None:
    """The console is served by the query API, another origin: its pages may call this API with their key.
    Outermost, so that a preflight is answered before the body limit and the timer see it."""
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.browser_origins()),
                       allow_methods=["GET", "POST", "PATCH", "DELETE"],
                       allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Correlation-Id"],
                       expose_headers=["Retry-After"], max_age=600)
