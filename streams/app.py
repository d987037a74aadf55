"""Composition root of the Faust worker."""

import faust
from elasticsearch import AsyncElasticsearch
from faust.web import Request, Response, View

from ops.settings import Settings
from streams.agents import register_decider, register_projector
from streams.es_sink import ElasticsearchSink
from streams.specs import AGGREGATES, PROJECTIONS, TRANSLATORS


def build_app(settings: Settings) -> faust.App:
    app = faust.App(
        settings.worker_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="rocksdb://",
        datadir=str(settings.data_dir / "worker"),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
        producer_acks=-1,
        producer_linger=settings.worker_producer_linger_s,
        broker_session_timeout=settings.worker_session_timeout_s,
        web_bind="127.0.0.1",
        web_port=settings.worker_web_port,
        web_host="127.0.0.1",
        web_in_thread=False,
    )
    for aggregate in AGGREGATES:
        register_decider(app, aggregate, settings.partitions)
    sink = ElasticsearchSink(AsyncElasticsearch(settings.elasticsearch_url, request_timeout=30))
    for projection in (*PROJECTIONS, *TRANSLATORS):
        register_projector(
            app, projection, sink, settings.partitions, settings.es_bulk_max_docs, settings.es_bulk_max_wait_s,
        )
    _register_health(app)
    return app


def _register_health(app: faust.App) -> None:
    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            ready = app.rebalancing is False and bool(app.consumer.assignment())
            return self.json({"status": "ok" if ready else "starting"}, status=200 if ready else 503)
