"""Commands into Kafka through the command API: single requests at several concurrencies (driven by wrk), and
NDJSON batches, beside a raw producer sending the very same records; the load generator's CPU beside the API's."""

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench import charts
from bench.cpu import command_api_cpu_s
from bench.http_load import chunks, command_api, in_send_order, post_batch
from bench.kafka_raw import RawProduce, end_offsets, raw_produce_of_range
from bench.options import BenchOptions, run_tag
from bench.orders import plans_with_commands
from bench.results import Row, ScenarioResult
from bench.stats import rate
from bench.targets import INGEST_BATCH_RATE, INGEST_SINGLE_P99, INGEST_SINGLE_RATE, TargetCheck
from bench.wire import batch_line, http_command
from bench.wrk import WrkRun, run_wrk
from common.clients import kafka_options
from ops.launcher import stack
from ops.launcher.services import worker_services
from ops.progress import Progress
from ops.settings import Settings
from schemas.topics import ORDERS_COMMANDS

TARGET_CONCURRENCY = 64
WARM_UP_S = 1.0


@dataclass(frozen=True)
class Measured:
    """A load and what it cost: commands per second, and CPU per command of the client and of the API."""

    commands: int
    seconds: float
    client_cpu_s: float
    api_cpu_s: float

    @property
    def rate(self) -> float:
        return rate(self.commands, self.seconds)

    def per_command_us(self, cpu_s: float) -> float:
        return cpu_s / self.commands * 1e6 if self.commands else 0.0


def create_order_body(tag: str) -> str:
    """The body every single-command request sends: a new order (the API assigns its id) with two items, as
    the first command of the bench's planned orders is."""
    [first] = plans_with_commands(f"BI-{tag}", 1, seed=1)[0].commands[:1]
    body = {key: value for key, value in http_command(first).body.items() if key != "order_id"}
    return json.dumps(body)


def single_commands(settings: Settings, body: str, concurrency: int, seconds: float) -> tuple[Measured, WrkRun]:
    base_url = f"http://127.0.0.1:{settings.command_api_port}"
    run_wrk(base_url, "/orders", body, concurrency, WARM_UP_S)  # opens the connections, fills the caches
    api_before = command_api_cpu_s(settings)
    run = run_wrk(base_url, "/orders", body, concurrency, seconds)
    api_cpu_s = command_api_cpu_s(settings) - api_before
    if run.failed:
        raise RuntimeError(f"{run.failed} of {run.requests} single commands at concurrency {concurrency} failed")
    print(f"  concurrency {concurrency}: {rate(run.requests, run.seconds):,.0f} commands/s, "
          f"p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms", flush=True)
    return Measured(run.requests, run.seconds, run.generator_cpu_s, api_cpu_s), run


async def batch_commands(settings: Settings, prefix: str, count: int, lines_per_request: int, seed: int,
                         ) -> tuple[Measured, int]:
    """Commands through POST /commands/batch (bodies rendered before the clock starts), and how many lines
    were refused."""
    bodies = [b"".join(map(batch_line, chunk))
              for chunk in chunks(in_send_order(plans_with_commands(prefix, count, seed)), lines_per_request)]
    progress = Progress("batch commands", total=count, unit="commands")
    refused = accepted = 0
    async with command_api(f"http://127.0.0.1:{settings.command_api_port}", 1) as client:
        api_before, client_before, started = command_api_cpu_s(settings), time.process_time(), time.monotonic()
        for body in bodies:
            answer = await post_batch(client, body)
            accepted += answer.accepted
            refused += len(answer.refused)
            progress.advance(answer.accepted + len(answer.refused))
        seconds = time.monotonic() - started
        client_cpu_s, api_cpu_s = time.process_time() - client_before, command_api_cpu_s(settings) - api_before
    progress.finish()
    return Measured(accepted, seconds, client_cpu_s, api_cpu_s), refused


@dataclass(frozen=True)
class Alone:
    """The same loads with the worker stopped: what the command API takes when it has the CPUs to itself, as it
    does on hosts of its own."""

    single: tuple[Measured, WrkRun]
    batch: Measured


@contextmanager
def worker_stopped(settings: Settings) -> Iterator[bool]:
    """The local worker's processes stopped, and started again afterwards (they then decide what came meanwhile);
    yields whether there were any to stop."""
    stopped = [service for service in worker_services(settings) if service.process(settings).stop()]
    try:
        yield bool(stopped)
    finally:
        if stopped:
            stack.up(settings, servers=False)


def without_worker(settings: Settings, options: BenchOptions, body: str, tag: str) -> Alone | None:
    with worker_stopped(settings) as stopped:
        if not stopped:
            return None
        print("the same loads with the worker stopped", flush=True)
        single = single_commands(settings, body, TARGET_CONCURRENCY, options.ingest_seconds)
        batch, _ = asyncio.run(batch_commands(settings, f"BA-{tag}", options.batch_commands,
                                              options.batch_lines_per_request, options.seed + 1))
    return Alone(single, batch)


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    tag = run_tag()
    result = ScenarioResult("ingest", {
        "seconds_per_level": options.ingest_seconds, "concurrency": list(options.concurrency),
        "batch_commands": options.batch_commands, "batch_lines_per_request": options.batch_lines_per_request})
    body = create_order_body(tag)
    kafka = kafka_options(settings)
    before_single = end_offsets(kafka, ORDERS_COMMANDS)
    singles: dict[int, tuple[Measured, WrkRun]] = {}
    for concurrency in options.concurrency:
        singles[concurrency] = single_commands(settings, body, concurrency, options.ingest_seconds)
    before_batch = end_offsets(kafka, ORDERS_COMMANDS)
    batch, refused = asyncio.run(batch_commands(settings, f"BB-{tag}", options.batch_commands,
                                                options.batch_lines_per_request, options.seed))
    after_batch = end_offsets(kafka, ORDERS_COMMANDS)
    alone = without_worker(settings, options, body, tag)
    print("raw producer: the same records to a scratch topic", flush=True)
    raw_single = raw_produce_of_range(settings, ORDERS_COMMANDS, before_single, before_batch)
    raw_batch = raw_produce_of_range(settings, ORDERS_COMMANDS, before_batch, after_batch)

    _rows(result, singles, batch, raw_single, raw_batch, alone)
    top = singles.get(TARGET_CONCURRENCY)
    result.checks = [
        TargetCheck(INGEST_SINGLE_RATE, top[0].rate if top else None),
        TargetCheck(INGEST_SINGLE_P99, top[1].p99_ms if top else None),
        TargetCheck(INGEST_BATCH_RATE, batch.rate),
    ]
    result.details = {
        "single": {str(level): {"wrk": vars(run), "api_cpu_s": measured.api_cpu_s}
                   for level, (measured, run) in singles.items()},
        "batch": vars(batch), "raw_single": vars(raw_single), "raw_batch": vars(raw_batch),
        "batch_refused_lines": refused,
        "worker_stopped": None if alone is None else {
            "single": {"wrk": vars(alone.single[1]), "api_cpu_s": alone.single[0].api_cpu_s},
            "batch": vars(alone.batch)},
    }
    result.notes = [
        "Single commands: wrk (C) with N connections, each sending POST /orders (a new order with two items, its id "
        "assigned by the API, no ?wait) as soon as its last answer came: 202 once Kafka stored the command. "
        "Latency is wrk's. Load generator CPU is wrk's own user + system time; API CPU is the command API "
        "process's, both per command.",
        "Batch: NDJSON bodies rendered before the clock starts, posted one after the other over one connection; the "
        "client's CPU is the bench process's while it posts them and reads the answers.",
        "Raw client: the records this run put on orders.commands, read back and produced with the app's producer "
        f"settings (idempotent, acks=all) to a scratch topic with {len(before_single)} partitions, then deleted.",
        "The load generator, the API, the worker deciding the commands, Kafka and Elasticsearch share the machine's "
        "CPUs. The rows marked `worker stopped` repeat the concurrency-64 and batch loads with the local worker's "
        "processes stopped (started again afterwards): the API's own capacity, as on hosts of its own. The targets "
        "are checked against the rows with the worker running.",
    ]
    if refused:
        result.notes.append(f"{refused} batch lines were refused (not counted in the batch rate).")
    levels = list(options.concurrency)
    result.charts = [charts.latency_by_level(
        options.results_dir / "ingest.png", "Single-command latency by concurrency", "concurrency",
        [str(level) for level in levels],
        {"p50": [singles[level][1].p50_ms for level in levels], "p99": [singles[level][1].p99_ms for level in levels]})]
    return result


def _rows(result: ScenarioResult, singles: dict[int, tuple[Measured, WrkRun]], batch: Measured,
          raw_single: RawProduce, raw_batch: RawProduce, alone: Alone | None) -> None:
    raw_single_rate, raw_batch_rate = rate(raw_single.records, raw_single.seconds), rate(raw_batch.records, raw_batch.seconds)
    for level, single in singles.items():
        result.rows += _single_rows(f"single commands, concurrency {level}", single, raw_single_rate)
    result.rows += _batch_rows("batch (NDJSON)", batch, raw_batch_rate)
    if alone is not None:
        result.rows += [*_single_rows(f"single commands, concurrency {TARGET_CONCURRENCY}, worker stopped",
                                      alone.single, raw_single_rate),
                        *_batch_rows("batch (NDJSON), worker stopped", alone.batch, raw_batch_rate)]


def _single_rows(measure: str, single: tuple[Measured, WrkRun], raw_rate: float) -> list[Row]:
    measured, run = single
    return [Row(measure, measured.rate, "commands/s", raw_rate), Row(f"{measure}, p50", run.p50_ms, "ms"),
            Row(f"{measure}, p99", run.p99_ms, "ms"), *_cpu_rows(measure, measured)]


def _batch_rows(measure: str, batch: Measured, raw_rate: float) -> list[Row]:
    return [Row(measure, batch.rate, "commands/s", raw_rate), *_cpu_rows(measure, batch)]


def _cpu_rows(measure: str, measured: Measured) -> list[Row]:
    return [Row(f"{measure}, load generator CPU", measured.per_command_us(measured.client_cpu_s), "µs/command"),
            Row(f"{measure}, command API CPU", measured.per_command_us(measured.api_cpu_s), "µs/command")]
