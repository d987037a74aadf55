"""Commands into Kafka through the command API: single requests at several concurrencies, and NDJSON batches,
beside a raw producer sending the very same records."""

import asyncio
import time

from bench import charts
from bench.http_load import Accepted, chunks, closed_loop, command_api, in_send_order, post_batch
from bench.kafka_raw import RawProduce, end_offsets, raw_produce_of_range
from bench.options import BenchOptions, run_tag
from bench.orders import plans_with_commands
from bench.results import Row, ScenarioResult
from bench.stats import Latency, rate
from bench.targets import INGEST_BATCH_RATE, INGEST_SINGLE_P99, INGEST_SINGLE_RATE, TargetCheck
from ops.progress import Progress
from ops.settings import Settings
from schemas.topics import ORDERS_COMMANDS

TARGET_CONCURRENCY = 64


async def single_commands(base_url: str, prefix: str, count: int, concurrency: int, seed: int) -> tuple[float, Latency]:
    """Commands per second and latencies of ``count`` commands sent by ``concurrency`` senders (after a warm-up
    that opens the connections)."""
    async with command_api(base_url, concurrency) as client:
        warm_up = plans_with_commands(f"{prefix}W", 2 * concurrency, seed + 1)
        await closed_loop(client, warm_up, concurrency, lambda done: None)
        progress = Progress(f"single commands, concurrency {concurrency}", total=count, unit="commands")

        def advance(done: Accepted) -> None:
            progress.advance()

        started = time.monotonic()
        accepted = await closed_loop(client, plans_with_commands(prefix, count, seed), concurrency, advance)
        seconds = time.monotonic() - started
        progress.finish()
    return rate(len(accepted), seconds), Latency.of_seconds([done.seconds for done in accepted])


async def batch_commands(base_url: str, prefix: str, count: int, lines_per_request: int, seed: int) -> tuple[float, int]:
    """Commands per second through POST /commands/batch, and how many lines were refused."""
    commands = in_send_order(plans_with_commands(prefix, count, seed))
    progress = Progress("batch commands", total=len(commands), unit="commands")
    refused = 0
    async with command_api(base_url, 1) as client:
        started = time.monotonic()
        for chunk in chunks(commands, lines_per_request):
            answer = await post_batch(client, chunk)
            refused += len(answer.refused)
            progress.advance(len(chunk))
        seconds = time.monotonic() - started
    progress.finish()
    return rate(len(commands) - refused, seconds), refused


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    base_url = f"http://127.0.0.1:{settings.command_api_port}"
    tag = run_tag()
    result = ScenarioResult("ingest", {
        "requests_per_level": options.requests, "concurrency": list(options.concurrency),
        "batch_commands": options.batch_commands, "batch_lines_per_request": options.batch_lines_per_request})
    before_single = end_offsets(settings.kafka_bootstrap, ORDERS_COMMANDS)
    latencies: dict[int, Latency] = {}
    rates: dict[int, float] = {}
    for concurrency in options.concurrency:
        rates[concurrency], latencies[concurrency] = asyncio.run(
            single_commands(base_url, f"BI{concurrency}-{tag}", options.requests, concurrency, options.seed))
    before_batch = end_offsets(settings.kafka_bootstrap, ORDERS_COMMANDS)
    batch_rate, refused = asyncio.run(batch_commands(base_url, f"BB-{tag}", options.batch_commands,
                                                     options.batch_lines_per_request, options.seed))
    after_batch = end_offsets(settings.kafka_bootstrap, ORDERS_COMMANDS)
    print("raw producer: the same records to a scratch topic", flush=True)
    raw_single = raw_produce_of_range(settings, ORDERS_COMMANDS, before_single, before_batch)
    raw_batch = raw_produce_of_range(settings, ORDERS_COMMANDS, before_batch, after_batch)

    _rows(result, rates, latencies, batch_rate, raw_single, raw_batch)
    top = latencies.get(TARGET_CONCURRENCY)
    result.checks = [
        TargetCheck(INGEST_SINGLE_RATE, rates.get(TARGET_CONCURRENCY)),
        TargetCheck(INGEST_SINGLE_P99, top.p99_ms if top else None),
        TargetCheck(INGEST_BATCH_RATE, batch_rate),
    ]
    result.details = {"latency_ms": {str(level): vars(latency) for level, latency in latencies.items()},
                      "raw_single": vars(raw_single), "raw_batch": vars(raw_batch), "batch_refused_lines": refused}
    result.notes = [
        "Single commands: POST /orders and the order's follow-up commands without ?wait (202 once Kafka stored "
        "the command); each sender sends one order's commands in sequence. Latency is the client's request time.",
        "Raw client: the records this run put on orders.commands, read back and produced with the app's producer "
        f"settings (idempotent, acks=all) to a scratch topic with {len(before_single)} partitions, then deleted.",
        "The client, the API, the worker deciding the commands, Kafka and Elasticsearch share the machine's CPUs.",
    ]
    if refused:
        result.notes.append(f"{refused} batch lines were refused (not counted in the batch rate).")
    levels = list(options.concurrency)
    result.charts = [charts.latency_by_level(
        options.results_dir / "ingest.png", "Single-command latency by concurrency", "concurrency",
        [str(level) for level in levels],
        {"p50": [latencies[level].p50_ms for level in levels], "p99": [latencies[level].p99_ms for level in levels]})]
    return result


def _rows(result: ScenarioResult, rates: dict[int, float], latencies: dict[int, Latency], batch_rate: float,
          raw_single: RawProduce, raw_batch: RawProduce) -> None:
    raw_single_rate = rate(raw_single.records, raw_single.seconds)
    for level, latency in latencies.items():
        result.rows += [
            Row(f"single commands, concurrency {level}", rates[level], "commands/s", raw_single_rate),
            Row(f"single commands, concurrency {level}, p50", latency.p50_ms, "ms"),
            Row(f"single commands, concurrency {level}, p99", latency.p99_ms, "ms"),
        ]
    result.rows.append(Row("batch (NDJSON)", batch_rate, "commands/s", rate(raw_batch.records, raw_batch.seconds)))
