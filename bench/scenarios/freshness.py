"""How long after its 202 a command is visible in search, under a steady load of single commands."""

import asyncio
import random
import time
from collections import deque
from dataclasses import dataclass

import httpx
from elasticsearch import AsyncElasticsearch

from bench import charts
from bench.http_load import command_api, post_batch
from bench.options import BenchOptions, run_tag
from bench.orders import OrderPlan, plan_order, versions_after_each_command
from bench.results import Row, ScenarioResult
from bench.stats import Latency, rate
from bench.targets import FRESHNESS_P99, TargetCheck
from bench.visibility import Visibility
from common.clients import elasticsearch_options
from ops.progress import Progress
from ops.settings import Settings

MAX_IN_FLIGHT = 16  # batch requests
TICK_S = 0.02
POLL_INTERVAL_S = 0.1
DRAIN_TIMEOUT_S = 120.0
TARGET_RATE = 500.0


@dataclass
class OrderCursor:
    """An order being sent: its plan, the versions its commands lead to, and the next command to send."""

    plan: OrderPlan
    versions: list[int]
    next: int = 0


@dataclass(frozen=True)
class FreshnessRun:
    sent: int
    send_seconds: float
    latencies_s: list[float]
    not_visible: int
    failed: int


class SteadyLoad:
    """Sends ``rate`` commands a second in small NDJSON batches, one every ``TICK_S``: the load generator costs a
    request per tick, not per command (an HTTP client in Python costs more CPU per request than the API it measures).
    An order's next command goes out only after its previous one was accepted, so orders interleave and every command
    is valid when it arrives."""

    def __init__(self, client: httpx.AsyncClient, visibility: Visibility, prefix: str, seed: int) -> None:
        self._client = client
        self._visibility = visibility
        self._prefix = prefix
        self._rng = random.Random(seed)
        self._ready: deque[OrderCursor] = deque()
        self._orders = 0
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.failed = 0

    def _next_cursor(self) -> OrderCursor:
        if self._ready:
            return self._ready.popleft()
        self._orders += 1
        plan = plan_order(f"{self._prefix}-{self._orders}", self._rng)
        return OrderCursor(plan, versions_after_each_command(plan))

    async def _send(self, cursors: list[OrderCursor], progress: Progress) -> None:
        try:
            answer = await post_batch(self._client, [cursor.plan.commands[cursor.next] for cursor in cursors])
        except (httpx.HTTPError, RuntimeError):
            self.failed += len(cursors)  # the orders' later commands are not sent: they would be refused
            return
        finally:
            self._slots.release()
        accepted_at = time.monotonic()
        progress.advance(len(cursors))
        if answer.refused:  # which lines were refused the answer does not say: these orders are not followed
            self.failed += len(answer.refused)
            return
        for cursor in cursors:
            self._visibility.expect(cursor.plan.order_id, cursor.versions[cursor.next], accepted_at)
            cursor.next += 1
            if cursor.next < len(cursor.plan.commands):
                self._ready.append(cursor)

    async def run(self, commands_per_s: float, duration_s: float) -> tuple[int, float]:
        """Returns how many commands were sent and how long sending took."""
        total = int(commands_per_s * duration_s)
        progress = Progress(f"freshness: commands at {commands_per_s:,.0f}/s", total=total, unit="commands")
        tasks = []
        started = time.monotonic()
        sent = 0
        tick = 0
        while sent < total:
            tick += 1
            delay = started + tick * TICK_S - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            due = min(round(commands_per_s * tick * TICK_S) - sent, total - sent)
            if due <= 0:
                continue
            await self._slots.acquire()  # when all slots are busy the load falls behind its schedule
            cursors = [self._next_cursor() for _ in range(due)]
            tasks.append(asyncio.create_task(self._send(cursors, progress)))
            sent += due
        await asyncio.gather(*tasks)
        seconds = time.monotonic() - started
        progress.finish()
        return total, seconds


async def _measure(settings: Settings, options: BenchOptions) -> FreshnessRun:
    es = AsyncElasticsearch(**elasticsearch_options(settings), request_timeout=30)
    visibility = Visibility(es)
    stop = asyncio.Event()

    async def poll_until_stopped() -> None:
        while not stop.is_set():
            await visibility.poll()
            await asyncio.sleep(POLL_INTERVAL_S)

    try:
        async with command_api(f"http://127.0.0.1:{settings.command_api_port}", MAX_IN_FLIGHT) as client:
            load = SteadyLoad(client, visibility, f"BF-{run_tag()}", options.seed)
            poller = asyncio.create_task(poll_until_stopped())
            sent, seconds = await load.run(options.rate, options.duration_s)
            stop.set()
            await poller
        await visibility.until_all_seen(DRAIN_TIMEOUT_S, POLL_INTERVAL_S, lambda met: None)
    finally:
        await es.close()
    return FreshnessRun(sent, seconds, visibility.latencies_s, visibility.waiting, load.failed)


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    measured = asyncio.run(_measure(settings, options))
    achieved = rate(measured.sent - measured.failed, measured.send_seconds)
    result = ScenarioResult("freshness", {"rate": options.rate, "duration_s": options.duration_s,
                                          "poll_interval_s": POLL_INTERVAL_S})
    latency = Latency.of_seconds(measured.latencies_s) if measured.latencies_s else None
    result.rows = [Row("commands sent", achieved, "commands/s")]
    if latency:
        result.rows += [Row("accepted → searchable, p50", latency.p50_ms, "ms"),
                        Row("accepted → searchable, p99", latency.p99_ms, "ms"),
                        Row("accepted → searchable, max", latency.max_ms, "ms")]
    note = "" if options.rate == TARGET_RATE else f"measured at {options.rate:,.0f} commands/s"
    if achieved < 0.95 * options.rate:
        note = f"load reached {achieved:,.0f} of {options.rate:,.0f} commands/s"
    result.checks = [TargetCheck(FRESHNESS_P99, latency.p99_ms if latency else None, note)]
    result.details = {"sent": measured.sent, "failed": measured.failed, "not_visible": measured.not_visible,
                      "send_seconds": measured.send_seconds, "latency_ms": vars(latency) if latency else None}
    result.notes = [
        f"Commands on a fixed schedule, a small NDJSON batch (POST /commands/batch) every {TICK_S * 1000:.0f} ms; an "
        f"order's next command is sent once its previous one was accepted. At most {MAX_IN_FLIGHT} requests in "
        "flight: when the API answers slower than that allows, the load falls behind its schedule and the rate "
        "achieved is reported.",
        "Latency: from the batch's answer (the command stored by Kafka) to the first search on the `orders` alias "
        "(refresh included) that returns the order "
        f"at the version the command leads to; searches every {POLL_INTERVAL_S} s, so figures are up to that coarse.",
    ]
    if achieved < 0.95 * options.rate:
        result.notes.append(f"The system did not keep {options.rate:,.0f} commands/s: {achieved:,.0f} were sent.")
    if measured.not_visible or measured.failed:
        result.notes.append(f"{measured.not_visible} commands not visible {DRAIN_TIMEOUT_S:.0f} s after the load "
                            f"ended; {measured.failed} requests failed.")
    if latency:
        result.charts = [charts.distribution(options.results_dir / "freshness.png",
                                             "Command accepted → visible in search",
                                             [value * 1000 for value in measured.latencies_s])]
    return result
