"""Latency of the query API's reads at data set sizes of 100k and 1M orders (or what could be loaded), beside the
latency of the Elasticsearch requests the API builds for them, sent straight to Elasticsearch (the raw column)."""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from elasticsearch import AsyncElasticsearch

from bench import catalog, charts, query_data
from bench.options import BenchOptions
from bench.results import Row, ScenarioResult
from bench.stats import Latency
from bench.targets import QUERY_P99, TargetCheck
from common.clients import elasticsearch_options
from ops.progress import Progress
from ops.settings import Settings
from query_api.search import OrderQuery, search_body
from query_api.stats import StatsQuery, stats_body
from query_api.timeline import MAX_TIMELINE_PAGE, timeline_body
from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.orders import OrderStatus

WARM_UP = 5
TARGET_SIZE = 1_000_000


@dataclass(frozen=True)
class Request:
    path: str
    params: dict[str, Any]
    index: str  # what the API asks Elasticsearch for this request
    body: dict[str, Any]


@dataclass(frozen=True)
class QueryKind:
    name: str
    make: Callable[[random.Random, int], Request]  # (rng, orders loaded) -> request


def _search_text(rng: random.Random) -> str:
    word = rng.choice([*catalog.NOUNS, *catalog.LAST_NAMES, *(city for city, _, _ in catalog.CITIES)]).split()[0]
    if rng.random() < 0.3 and len(word) > 4:  # a typo: the search is fuzzy
        cut = rng.randrange(1, len(word) - 1)
        word = word[:cut] + word[cut + 1:]
    return word


def _window(rng: random.Random) -> tuple[str, str]:
    end = datetime.now(UTC) - timedelta(days=rng.randint(0, query_data.SPREAD_DAYS - 30))
    return (end - timedelta(days=30)).isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def _search(rng: random.Random, size: int) -> Request:
    text = _search_text(rng)
    return Request("/orders", {"q": text}, ORDERS.alias, search_body(OrderQuery(q=text)))


def _faceted(rng: random.Random, size: int) -> Request:
    start, end = _window(rng)
    statuses = rng.sample([status.value for status in OrderStatus], 2)
    low = rng.choice([10, 50, 100])
    query = OrderQuery(status=statuses, min_total=Decimal(low), max_total=Decimal(1000),
                       created_from=datetime.fromisoformat(start), created_to=datetime.fromisoformat(end))
    return Request("/orders", {"status": statuses, "min_total": low, "max_total": 1000, "from": start, "to": end},
                   ORDERS.alias, search_body(query))


def _stats(rng: random.Random, size: int) -> Request:
    start, end = _window(rng)
    query = StatsQuery(created_from=datetime.fromisoformat(start), created_to=datetime.fromisoformat(end), interval="day")
    return Request("/stats/orders", {"from": start, "to": end, "interval": "day"}, ORDERS.alias, stats_body(query))


def _timeline(rng: random.Random, size: int) -> Request:
    order_id = query_data.order_id(rng.randint(1, size))
    return Request(f"/orders/{order_id}/timeline", {}, ORDER_EVENTS.alias, timeline_body(order_id, MAX_TIMELINE_PAGE))


KINDS = (
    QueryKind("search", _search),
    QueryKind("faceted search", _faceted),
    QueryKind("stats", _stats),
    QueryKind("timeline", _timeline),
)


@dataclass(frozen=True)
class KindLatency:
    api: Latency
    raw: Latency  # the same Elasticsearch requests sent straight to Elasticsearch


async def timed(call: Awaitable[Any]) -> tuple[float, Any]:
    started = time.monotonic()
    answer = await call
    return time.monotonic() - started, answer


async def measure_kind(client: httpx.AsyncClient, es: AsyncElasticsearch, kind: QueryKind, size: int, requests: int,
                       seed: int) -> KindLatency:
    """Sequential requests (one at a time), each to the API and then its Elasticsearch request straight to
    Elasticsearch, after a few unmeasured ones."""
    rng = random.Random(seed)
    progress = Progress(f"query {kind.name} at {size:,} orders", total=requests, unit="requests")
    api: list[float] = []
    raw: list[float] = []
    for number in range(WARM_UP + requests):
        request = kind.make(rng, size)
        api_seconds, response = await timed(client.get(request.path, params=request.params))
        if response.status_code != 200:
            raise RuntimeError(f"GET {request.path} {request.params} answered {response.status_code}: {response.text[:300]}")
        # Without the shard request cache: it would answer the same aggregation just asked by the API.
        raw_seconds, _ = await timed(es.search(index=request.index, request_cache=False, **request.body))
        if number >= WARM_UP:
            api.append(api_seconds)
            raw.append(raw_seconds)
            progress.advance()
    progress.finish()
    return KindLatency(Latency.of_seconds(api), Latency.of_seconds(raw))


async def measure_size(base_url: str, elasticsearch: Mapping[str, Any], size: int, requests: int,
                       seed: int) -> dict[str, KindLatency]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client, \
            AsyncElasticsearch(**elasticsearch, request_timeout=60) as es:
        return {kind.name: await measure_kind(client, es, kind, size, requests, seed) for kind in KINDS}


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    base_url = f"http://127.0.0.1:{settings.query_api_port}"
    result = ScenarioResult("query", {"orders": list(options.orders), "requests_per_kind": options.query_requests,
                                      "load_timeout_s": options.load_timeout_s})
    measured: dict[int, dict[str, KindLatency]] = {}
    for size in sorted(options.orders):
        present = query_data.ensure_loaded(elasticsearch_options(settings), size, options.seed, options.load_timeout_s)
        if present < size:
            result.notes.append(f"{size:,} orders: not measured, {present:,} were loaded within "
                                f"{options.load_timeout_s:,.0f} s (a later run goes on loading where this one stopped).")
            break
        measured[size] = asyncio.run(measure_size(base_url, elasticsearch_options(settings), size, options.query_requests,
                                                  options.seed))
    for size, latencies in measured.items():
        for kind, latency in latencies.items():
            result.rows += [Row(f"{kind} at {size:,} orders, p50", latency.api.p50_ms, "ms", latency.raw.p50_ms),
                            Row(f"{kind} at {size:,} orders, p99", latency.api.p99_ms, "ms", latency.raw.p99_ms)]
    result.checks = _checks(measured)
    result.details = {"measured_sizes": list(measured),
                      "latency_ms": {str(size): {kind: {"api": vars(latency.api), "raw": vars(latency.raw)}
                                                 for kind, latency in latencies.items()}
                                     for size, latencies in measured.items()}}
    result.notes += [query_data.__doc__.split("\n\n")[1].replace("\n", " ") if query_data.__doc__ else "",
                     "Requests one at a time against the query API, after 5 unmeasured ones, each followed by the "
                     "Elasticsearch request the API builds for it sent straight to Elasticsearch (raw column: what "
                     "the API adds is the difference); search terms are "
                     "product, customer and city words, 30 % of them with a typo; faceted search filters two "
                     "statuses, a total range and a 30-day window and returns the facets; stats cover 30 days by "
                     "day; timelines are of random orders of the data set.",
                     "The query data set is not in the worker's tables, so the worker's memory does not grow with it."]
    if measured:
        result.charts = [_chart(options, measured)]
    return result


def _checks(measured: dict[int, dict[str, KindLatency]]) -> list[TargetCheck]:
    if TARGET_SIZE in measured:
        return [TargetCheck(target, measured[TARGET_SIZE][kind].api.p99_ms) for kind, target in QUERY_P99.items()]
    largest = max(measured, default=None)
    notes = {kind: (f"1M orders not measured; at {largest:,} orders p99 was "
                    f"{measured[largest][kind].api.p99_ms:,.0f} ms" if largest else "no size could be loaded")
             for kind in QUERY_P99}
    return [TargetCheck(target, None, notes[kind]) for kind, target in QUERY_P99.items()]


def _chart(options: BenchOptions, measured: dict[int, dict[str, KindLatency]]) -> str:
    levels = [f"{kind.name}\n{size:,}" for size in measured for kind in KINDS]
    return charts.latency_by_level(
        options.results_dir / "query.png", "Query latency by kind and data set size", "query kind, orders",
        levels, {"p50": [measured[size][kind.name].api.p50_ms for size in measured for kind in KINDS],
                 "p99": [measured[size][kind.name].api.p99_ms for size in measured for kind in KINDS],
                 "raw Elasticsearch p99": [measured[size][kind.name].raw.p99_ms for size in measured for kind in KINDS]})
