"""Commands in through the batch endpoint, every order searchable at its final version out; beside it a raw bulk
load of the same documents."""

import asyncio
import time
from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch

from bench.decisions import Decided, OutcomeWatch
from bench.es_raw import RawBulk, raw_bulk_of
from bench.http_load import chunks, command_api, in_send_order, post_batch
from bench.options import BenchOptions, run_tag
from bench.orders import OrderPlan, plans_with_commands, versions_after_each_command
from bench.results import Row, ScenarioResult
from bench.settle import BENCH_TOPICS
from bench.stats import rate
from bench.targets import PIPELINE_RATE, PIPELINE_RATIO, TargetCheck
from bench.visibility import Visibility
from bench.worker_counts import loop_counts
from common.clients import elasticsearch_options, kafka_options
from common.lag import GroupLag, LagUnavailable
from ops.progress import Progress
from ops.settings import Settings
from schemas.mappings import ORDER_EVENTS, ORDERS

BATCH_LINES = 5000
POLL_INTERVAL_S = 0.25
SEARCHABLE_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class PipelineRun:
    commands: int
    documents: int  # order documents plus order-event documents
    sent_s: float
    decided: Decided
    searchable_s: float | None  # None: not all were searchable in time
    started: float


async def _send_and_follow(settings: Settings, plans: list[OrderPlan], watch: OutcomeWatch, label: str) -> PipelineRun:
    commands = in_send_order(plans)
    final_versions = {plan.order_id: versions_after_each_command(plan)[-1] for plan in plans}
    es = AsyncElasticsearch(**elasticsearch_options(settings), request_timeout=60)
    visibility = Visibility(es)
    command_ids: list[str] = []
    sending = Progress(f"{label}: commands sent", total=len(commands), unit="commands")
    started = time.monotonic()
    async with command_api(f"http://127.0.0.1:{settings.command_api_port}", 1) as client:
        for chunk in chunks(commands, BATCH_LINES):
            answer = await post_batch(client, chunk)
            if answer.refused:
                raise RuntimeError(f"the batch endpoint refused {len(answer.refused)} lines: {answer.refused[:2]}")
            command_ids += answer.command_ids
            sending.advance(len(chunk))
    sent_s = time.monotonic() - started
    sending.finish()
    for order_id, version in final_versions.items():
        visibility.expect(order_id, version, started)
    try:
        await _worker_caught_up(settings, started + SEARCHABLE_TIMEOUT_S, label)
        indexed = Progress(f"{label}: orders searchable at their final version", total=len(plans), unit="orders")
        left_s = max(0.0, started + SEARCHABLE_TIMEOUT_S - time.monotonic())
        complete = await visibility.until_all_seen(left_s, POLL_INTERVAL_S, indexed.advance)
        indexed.finish()
    finally:
        await es.close()
    decided = await asyncio.to_thread(watch.wait_for, command_ids, 60.0)
    searchable_s = visibility.last_seen_at - started if complete else None
    return PipelineRun(len(commands), len(plans) + sum(final_versions.values()), sent_s, decided, searchable_s, started)


async def _worker_caught_up(settings: Settings, deadline: float, label: str) -> None:
    """Until the worker has committed every order command and event sent (or the deadline): searching thousands
    of orders every poll before then would only take CPU from the system measured."""
    lag = GroupLag(kafka_options(settings), settings.worker_id)
    progress = Progress(f"{label}: worker backlog worked off", total=0, unit="records")
    last = 0
    try:
        while time.monotonic() < deadline:
            try:
                behind = sum(row.lag for row in await asyncio.to_thread(lag.lag, BENCH_TOPICS))
            except LagUnavailable:
                behind = last
            if behind > last:  # events the deciders wrote since
                progress.extend(behind - last)
            progress.advance(max(0, last - behind))
            last = behind
            if behind == 0:
                return
            await asyncio.sleep(POLL_INTERVAL_S)
    finally:
        progress.finish()
        lag.close()


def _raw_bulk(settings: Settings, prefix: str) -> RawBulk:
    """The run's order and order-event documents, loaded raw into scratch indexes with the live settings."""
    work_dir = settings.data_dir / "bench"
    elasticsearch = elasticsearch_options(settings)
    orders = raw_bulk_of(elasticsearch, ORDERS, {"prefix": {"order_id": f"{prefix}-"}}, work_dir, {})
    events = raw_bulk_of(elasticsearch, ORDER_EVENTS, {"prefix": {"order_id": f"{prefix}-"}}, work_dir, {})
    return RawBulk(orders.documents + events.documents, orders.seconds + events.seconds)


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    prefix = f"BP-{run_tag()}"
    plans = plans_with_commands(prefix, options.pipeline_commands, options.seed)
    result = ScenarioResult("pipeline", {"commands": options.pipeline_commands, "orders": len(plans),
                                         "warm-up commands": options.pipeline_warmup,
                                         "batch_lines_per_request": BATCH_LINES})
    watch = OutcomeWatch(kafka_options(settings))
    try:
        if options.pipeline_warmup:
            warmup = plans_with_commands(f"{prefix}W", options.pipeline_warmup, options.seed + 1)
            asyncio.run(_send_and_follow(settings, warmup, watch, "warm-up"))
        counts_before = loop_counts(settings)
        outcome = asyncio.run(_send_and_follow(settings, plans, watch, "pipeline"))
    finally:
        watch.close()
    counts = loop_counts(settings).since(counts_before)
    print("raw bulk: the same documents into scratch indexes", flush=True)
    raw = _raw_bulk(settings, prefix)
    decided_s = outcome.decided.last_at - outcome.started if outcome.decided.decided else 0.0
    end_to_end = rate(outcome.commands, outcome.searchable_s) if outcome.searchable_s else None
    documents_rate = rate(outcome.documents, outcome.searchable_s) if outcome.searchable_s else 0.0
    raw_rate = rate(raw.documents, raw.seconds)
    result.rows = [
        Row("commands accepted (batch endpoint)", rate(outcome.commands, outcome.sent_s), "commands/s"),
        Row("commands decided", rate(outcome.decided.decided, decided_s), "commands/s"),
        Row("commands in → all searchable", end_to_end or 0.0, "commands/s"),
        Row("documents indexed (orders + order-events)", documents_rate, "documents/s", raw_rate),
        *counts.rows_per_command(outcome.commands),
    ]
    result.checks = [
        TargetCheck(PIPELINE_RATE, end_to_end),
        TargetCheck(PIPELINE_RATIO, documents_rate / raw_rate if raw_rate and end_to_end else None),
    ]
    result.details = {"documents": outcome.documents, "raw_documents": raw.documents, "raw_seconds": raw.seconds,
                      "sent_seconds": outcome.sent_s, "decided_seconds": decided_s,
                      "searchable_seconds": outcome.searchable_s, "rejected": outcome.decided.rejected,
                      "undecided": outcome.decided.missing}
    result.notes = [
        f"{len(plans):,} generated orders ({options.pipeline_commands:,} commands: create with 1-3 items, then some "
        "way through submit, payment, confirm, ship, deliver or a cancellation) in NDJSON batches of "
        f"{BATCH_LINES:,} lines.",
        f"First {options.pipeline_warmup:,} warm-up commands (orders of their own) go through the whole pipeline "
        "and are searchable before the measured ones are sent: a process that just started runs its first batches "
        "slower (first uses of each model, cold caches).",
        "Searchable: a search on the `orders` alias (so after a refresh) returns every order at the version the "
        f"order rules give its last command; polled every {POLL_INTERVAL_S} s once the worker's consumer group has "
        "committed every order command and event (its lag, polled as often, is 0). Decided: the command's outcome "
        "is on commands.outcomes.",
        "Documents: one `orders` document per order and one `order-events` document per event; the pipeline also "
        "writes every intermediate version of an order and the customer documents, which are not counted.",
        "Raw client: the final documents exported from the live indexes and bulk-loaded (2,000 per request, "
        "external versions, sequential, then a refresh) into scratch indexes with the same mappings and settings.",
        "Per command: the worker loops' own counters (their /metrics) over the run, divided by the commands sent; "
        "a store write is also one record on the store's changelog, in the same transaction.",
    ]
    if outcome.searchable_s is None:
        result.notes.append(f"Not every order was searchable within {SEARCHABLE_TIMEOUT_S:.0f} s.")
    if outcome.decided.rejected or outcome.decided.missing:
        result.notes.append(f"Rejected commands: {outcome.decided.rejected}; without an outcome after 60 s: "
                            f"{outcome.decided.missing}.")
    return result
