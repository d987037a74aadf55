"""Composition root of the worker.

Faust is the application: the worker process, its lifecycle and signals, logging and the web server (``/health``,
``/metrics``). The records themselves go through two transactional loops beneath Faust's per-record stream path
(see ``streams.engine.loop``): the deciders (command topics) and the projectors (event topics), each a member of
the worker's consumer group with its own transactional producer and its own stores.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import faust
from confluent_kafka.admin import AdminClient
from elasticsearch import Elasticsearch
from faust.app.base import BootStrategy
from faust.web import Request, Response, View
from mode import Service
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from common.clients import elasticsearch_options, faust_broker_credentials, kafka_options
from schemas.envelope import utc_now
from schemas.topics import COMMAND_OUTCOMES
from streams.deciding import OUTCOMES_STORE, Deciders, outcome_mark
from streams.deciding import decider_stores as decider_stores_of
from streams.engine.batches import BatchHandler
from streams.engine.health import LoopHealth
from streams.engine.kafka import KafkaOptions, RepeatsDropped, ensure_changelogs, restore
from streams.engine.loop import TransactionalLoop
from streams.engine.state import LoopStores
from streams.engine.stores import PartitionStore, StoreFolders, StoreSpec
from streams.es_sink import ElasticsearchSink
from streams.handlers import DeciderHandler, ProjectorHandler
from streams.metrics import WorkerMetrics
from streams.projecting import Projectors
from streams.projecting import projector_stores as projector_stores_of
from streams.settings import WorkerSettings
from streams.specs import AGGREGATES, PROJECTIONS

STOP_TIMEOUT_S = 7.0


class _WebOnly(BootStrategy):
    """Faust's own Kafka consumer and producer stay off: the loops have theirs."""

    enable_kafka = False


class WorkerApp(faust.App):
    BootStrategy = _WebOnly


def store_spec(settings: WorkerSettings, name: str) -> StoreSpec:
    """A store's changelog: ``commands.outcomes`` for the outcomes (keyed by the bare command id), else the topic
    named as the worker's tables have always named theirs."""
    if name == OUTCOMES_STORE:
        return StoreSpec(name, COMMAND_OUTCOMES, json_keys=False, kept=outcome_mark)
    return StoreSpec(name, f"{settings.worker_id}-{name}-changelog")


def worker_kafka_options(settings: WorkerSettings) -> KafkaOptions:
    librdkafka = logging.getLogger("librdkafka")
    librdkafka.addFilter(RepeatsDropped())
    return KafkaOptions(
        connection=kafka_options(settings), group=settings.worker_id,
        session_timeout_s=settings.worker_session_timeout_s, linger_s=settings.worker_producer_linger_s,
        transaction_timeout_s=settings.worker_transaction_timeout_s, max_record_bytes=settings.max_record_bytes,
        logger=librdkafka,
    )


class Engine(Service):
    """Starts the loops with the app and stops them with it."""

    def __init__(self, loops: list[TransactionalLoop], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loops = loops

    async def on_start(self) -> None:
        for loop in self.loops:
            loop.start()

    async def on_stop(self) -> None:
        await asyncio.gather(*(asyncio.to_thread(loop.stop, STOP_TIMEOUT_S) for loop in self.loops))


@dataclass(frozen=True)
class Loop:
    """One loop as the app runs it: the loop, its health, and what its handler counts for /metrics."""

    loop: TransactionalLoop
    health: LoopHealth
    views_behind: Callable[[], int] = lambda: 0


class LoopFactory:
    """Builds the loops of one worker process from the settings; each owns its clients and stores."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self.options = worker_kafka_options(settings)
        self.folders = StoreFolders(settings.data_dir / "worker" / "stores" / str(settings.worker_index),
                                    settings.worker_block_cache_bytes, settings.worker_memtables_bytes)

    def stores(self, names: tuple[str, ...]) -> LoopStores:
        def restore_stores(stores: list[tuple[StoreSpec, int, PartitionStore]]) -> int:
            return restore(self.options, stores)

        return LoopStores([store_spec(self.settings, name) for name in names], self.folders, restore_stores)

    def loop(self, handler: BatchHandler, health: LoopHealth) -> TransactionalLoop:
        settings = self.settings
        return TransactionalLoop(handler, self.options, f"{settings.worker_id}-{handler.name}-{settings.worker_index}",
                                 health, settings.worker_batch_max_records,
                                 batch_interval_s=settings.worker_batch_interval_s)

    def deciders(self) -> Loop:
        stores = self.stores(decider_stores_of(AGGREGATES))
        deciders = Deciders(AGGREGATES, stores.read, self.settings.worker_cached_values)
        health = LoopHealth("deciders")
        return Loop(self.loop(DeciderHandler(deciders, stores, utc_now), health), health)

    def projectors(self) -> Loop:
        stores = self.stores(projector_stores_of(PROJECTIONS))
        projectors = Projectors(PROJECTIONS, stores.read, self.settings.worker_cached_values)
        health = LoopHealth("projectors")
        sink = ElasticsearchSink(Elasticsearch(**elasticsearch_options(self.settings), request_timeout=30), health)
        handler = ProjectorHandler(projectors, stores, sink, health)
        return Loop(self.loop(handler, health), health, handler.views_behind)


def faust_brokers(settings: WorkerSettings) -> str:
    """The bootstrap servers as Faust writes them: one URL each, separated by ``;`` (librdkafka's are by ``,``)."""
    return ";".join(f"kafka://{server.strip()}" for server in settings.kafka_bootstrap.split(","))


def build_app(settings: WorkerSettings) -> faust.App:
    logging.getLogger("elastic_transport.transport").setLevel(logging.WARNING)
    app = WorkerApp(
        settings.worker_id, broker=faust_brokers(settings), broker_credentials=faust_broker_credentials(settings),
        datadir=str(settings.data_dir / "worker"),
        web_bind="127.0.0.1", web_port=settings.worker_web_port, web_host="127.0.0.1", web_in_thread=False,
    )
    factory = LoopFactory(settings)
    loops = [getattr(factory, name)() for name in settings.worker_loops]
    admin = AdminClient({**kafka_options(settings), "log_level": 3})
    changelogs = [spec for loop in loops for spec in loop.loop.stores.specs if spec.changelog != COMMAND_OUTCOMES]
    sources = [topic for loop in loops for topic in loop.loop.topics]
    ensure_changelogs(admin, changelogs, sources, settings.replication_factor)
    engine = Engine([loop.loop for loop in loops])
    app._extra_services.append(engine)  # type: ignore[arg-type]  # noqa: SLF001 - Faust's started services, instances too
    healths = [loop.health for loop in loops]
    _register_web(app, healths, WorkerMetrics(healths, lambda: sum(loop.views_behind() for loop in loops)))
    return app


def _register_web(app: faust.App, healths: list[LoopHealth], metrics: "WorkerMetrics") -> None:
    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            healthy = all(health.healthy for health in healths)
            body = {"status": "ok" if healthy else "unhealthy",
                    "loops": {health.name: health.report() for health in healths}}
            return self.json(body, status=200 if healthy else 503)

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            registry = CollectorRegistry()
            registry.register(metrics)
            # aiohttp takes a charset only apart from content_type, so the exposition format's full type goes as a header.
            return self.bytes(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})
