"""Latency of the query API's reads at data set sizes of 100k and 1M orders (or what could be loaded)."""

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench import catalog, charts, query_data
from bench.options import BenchOptions
from bench.results import Row, ScenarioResult
from bench.stats import Latency
from bench.targets import SEARCH_P99, TargetCheck
from common.settings import Settings
from ops.progress import Progress

WARM_UP = 5
TARGET_SIZE = 1_000_000
Request = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class QueryKind:
    name: str
    make: Callable[[random.Random, int], Request]  # (rng, orders loaded) -> (path, params)


def _search_text(rng: random.Random) -> str:
    word = rng.choice([*catalog.NOUNS, *catalog.LAST_NAMES, *(city for city, _, _ in catalog.CITIES)]).split()[0]
    if rng.random() < 0.3 and len(word) > 4:  # a typo: the search is fuzzy
        cut = rng.randrange(1, len(word) - 1)
        word = word[:cut] + word[cut + 1:]
    return word


def _window(rng: random.Random) -> tuple[str, str]:
    end = datetime.now(UTC) - timedelta(days=rng.randint(0, query_data.SPREAD_DAYS - 30))
    return (end - timedelta(days=30)).isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def _faceted(rng: random.Random, size: int) -> Request:
    start, end = _window(rng)
    statuses = rng.sample(["DRAFT", "SUBMITTED", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"], 2)
    return "/orders", {"status": statuses, "min_total": rng.choice([10, 50, 100]), "max_total": 1000,
                       "from": start, "to": end}


def _stats(rng: random.Random, size: int) -> Request:
    start, end = _window(rng)
    return "/stats/orders", {"from": start, "to": end, "interval": "day"}


KINDS = (
    QueryKind("search", lambda rng, size: ("/orders", {"q": _search_text(rng)})),
    QueryKind("faceted search", _faceted),
    QueryKind("stats", _stats),
    QueryKind("timeline", lambda rng, size: (f"/orders/{query_data.order_id(rng.randint(1, size))}/timeline", {})),
)


async def measure_kind(client: httpx.AsyncClient, kind: QueryKind, size: int, requests: int, seed: int) -> Latency:
    """Sequential requests (one at a time), after a few unmeasured ones."""
    rng = random.Random(seed)
    progress = Progress(f"query {kind.name} at {size:,} orders", total=requests, unit="requests")
    seconds: list[float] = []
    for number in range(WARM_UP + requests):
        path, params = kind.make(rng, size)
        started = time.monotonic()
        response = await client.get(path, params=params)
        elapsed = time.monotonic() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {params} answered {response.status_code}: {response.text[:300]}")
        if number >= WARM_UP:
            seconds.append(elapsed)
            progress.advance()
    progress.finish()
    return Latency.of_seconds(seconds)


async def measure_size(base_url: str, size: int, requests: int, seed: int) -> dict[str, Latency]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        return {kind.name: await measure_kind(client, kind, size, requests, seed) for kind in KINDS}


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    base_url = f"http://127.0.0.1:{settings.query_api_port}"
    result = ScenarioResult("query", {"orders": list(options.orders), "requests_per_kind": options.query_requests,
                                      "load_timeout_s": options.load_timeout_s})
    measured: dict[int, dict[str, Latency]] = {}
    for size in sorted(options.orders):
        present = query_data.ensure_loaded(settings.elasticsearch_url, size, options.seed, options.load_timeout_s)
        if present < size:
            result.notes.append(f"{size:,} orders: not measured, {present:,} were loaded within "
                                f"{options.load_timeout_s:,.0f} s (a later run goes on loading where this one stopped).")
            break
        measured[size] = asyncio.run(measure_size(base_url, size, options.query_requests, options.seed))
    for size, latencies in measured.items():
        for kind, latency in latencies.items():
            result.rows += [Row(f"{kind} at {size:,} orders, p50", latency.p50_ms, "ms"),
                            Row(f"{kind} at {size:,} orders, p99", latency.p99_ms, "ms")]
    result.checks = _checks(measured)
    result.details = {"measured_sizes": list(measured),
                      "latency_ms": {str(size): {kind: vars(latency) for kind, latency in latencies.items()}
                                     for size, latencies in measured.items()}}
    result.notes += [query_data.__doc__.split("\n\n")[1].replace("\n", " ") if query_data.__doc__ else "",
                     "Requests one at a time against the query API, after 5 unmeasured ones; search terms are "
                     "product, customer and city words, 30 % of them with a typo; faceted search filters two "
                     "statuses, a total range and a 30-day window and returns the facets; stats cover 30 days by "
                     "day; timelines are of random orders of the data set.",
                     "The query data set is not in the worker's tables, so the worker's memory does not grow with it."]
    if measured:
        result.charts = [_chart(options, measured)]
    return result


def _checks(measured: dict[int, dict[str, Latency]]) -> list[TargetCheck]:
    if TARGET_SIZE in measured:
        return [TargetCheck(SEARCH_P99, measured[TARGET_SIZE]["search"].p99_ms)]
    largest = max(measured, default=None)
    note = (f"1M orders not measured; at {largest:,} orders search p99 was {measured[largest]['search'].p99_ms:,.0f} ms"
            if largest else "no size could be loaded")
    return [TargetCheck(SEARCH_P99, None, note)]


def _chart(options: BenchOptions, measured: dict[int, dict[str, Latency]]) -> str:
    levels = [f"{kind.name}\n{size:,}" for size in measured for kind in KINDS]
    return charts.latency_by_level(
        options.results_dir / "query.png", "Query latency by kind and data set size", "query kind, orders",
        levels, {"p50": [measured[size][kind.name].p50_ms for size in measured for kind in KINDS],
                 "p99": [measured[size][kind.name].p99_ms for size in measured for kind in KINDS]})
