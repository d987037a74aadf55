"""Prometheus metrics shared by both APIs: answer latency per route, and the /metrics endpoint."""

import time

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# Label values come from a closed set: a client inventing methods or paths must not create new time series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED_ROUTE = "unmatched"


def request_latency(registry: CollectorRegistry) -> Histogram:
    return Histogram(
        "orderflow_http_request_duration_seconds", "Time to answer an HTTP request",
        ["method", "route", "status"], registry=registry, buckets=LATENCY_BUCKETS,
    )


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else OTHER_METHOD


def route_label(scope: Scope) -> str:
    """The matched route's template (``/orders/{order_id}``), never the concrete path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class RequestTimer:
    """Times every HTTP request by method and route template."""

    def __init__(self, app: ASGIApp, latency: Histogram) -> None:
        self.app = app
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            self.latency.labels(method_label(scope["method"]), route_label(scope), str(status)).observe(
                time.perf_counter() - started)


def add_metrics_endpoint(app: FastAPI, registry: CollectorRegistry) -> None:
    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}})
    def metrics() -> Response:
        """Plain ``def``: a collector may still ask a server at scrape time, which must not block the event loop."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
