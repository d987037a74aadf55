"""Composition root of the command API."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from ops.admin.lag import GroupLag, LagCollector
from ops.settings import Settings
from ops.web.errors import install_error_handlers
from ops.web.limits import BodyLimit
from ops.web.metrics import RequestTimer, add_metrics_endpoint, request_latency
from producers.answers import install_command_error_handlers
from producers.commands import CommandBus
from producers.metrics import CommandMetrics
from producers.outcomes import OutcomeWatcher
from producers.publisher import KafkaPublisher, producer_config
from producers.routes import commands, customers, inventory, orders
from producers.store import CommandStore
from schemas.topics import COMMAND_TOPICS

BATCH_PATH = "/commands/batch"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    registry = CollectorRegistry()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = CommandStore(settings.data_dir / "command-api")
        publisher = KafkaPublisher(producer_config(settings.kafka_bootstrap))
        metrics = CommandMetrics(registry, lambda: publisher.queue_depth)
        watcher = OutcomeWatcher(settings.kafka_bootstrap, store, on_outcome=metrics.on_outcome)
        decider_lag = GroupLag(settings.kafka_bootstrap, settings.worker_id)
        registry.register(LagCollector("orderflow_decider_lag_records", partial(decider_lag.lag, COMMAND_TOPICS),
                                       "Command records the worker has not decided yet, per partition"))
        publisher.start()
        await asyncio.to_thread(watcher.start, asyncio.get_running_loop())
        app.state.settings = settings
        app.state.store = store
        app.state.bus = CommandBus(publisher, watcher, store,
                                   on_published=lambda command: metrics.published.labels(command.type).inc())
        try:
            yield
        finally:
            watcher.stop()
            await asyncio.to_thread(publisher.close)
            store.close()
            decider_lag.close()

    app = FastAPI(title="orderflow command API", version="0.1.0", lifespan=lifespan,
                  description="Commands for orders, customers and stock. Every command is published to Kafka and decided "
                              "by the worker; add `?wait=<seconds>` to get the decision in the answer.")
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, streamed={BATCH_PATH: settings.max_batch_bytes})
    app.add_middleware(RequestTimer, latency=request_latency(registry))
    install_error_handlers(app)
    install_command_error_handlers(app)
    for router in (orders.router, customers.router, inventory.router, commands.router):
        app.include_router(router)
    add_metrics_endpoint(app, registry)

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
