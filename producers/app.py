"""Composition root of the command API."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ops.settings import Settings
from producers.commands import CommandBus
from producers.outcomes import OutcomeWatcher
from producers.publisher import KafkaPublisher, producer_config
from producers.routes import commands, orders


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        publisher = KafkaPublisher(producer_config(settings.kafka_bootstrap))
        watcher = OutcomeWatcher(settings.kafka_bootstrap)
        publisher.start()
        await asyncio.to_thread(watcher.start, asyncio.get_running_loop())
        app.state.settings = settings
        app.state.outcomes = watcher
        app.state.bus = CommandBus(publisher, watcher)
        try:
            yield
        finally:
            watcher.stop()
            await asyncio.to_thread(publisher.close)

    app = FastAPI(title="orderflow command API", version="0.1.0", lifespan=lifespan)
    app.include_router(orders.router)
    app.include_router(commands.router)

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
