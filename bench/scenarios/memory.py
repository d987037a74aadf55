"""The worker's memory after a large number of orders went through the whole pipeline: commands in through the
batch endpoint, decided, projected; then the worker's peak resident set (VmHWM)."""

import asyncio
import time

from bench.http_load import chunks, command_api, in_send_order, post_batch
from bench.memory import app_memory
from bench.options import BenchOptions, run_tag
from bench.orders import plans_with_commands
from bench.results import Row, ScenarioResult
from bench.settle import wait_for_worker
from bench.stats import rate
from bench.targets import WORKER_RSS, TargetCheck
from ops.launcher.services import worker_services
from ops.progress import Progress
from ops.settings import Settings

BATCH_LINES = 5000
COMMANDS_PER_ORDER = 3.6  # the generated orders' average


async def _send(settings: Settings, options: BenchOptions) -> tuple[int, int]:
    """Send the orders' commands a piece at a time (the plans of all of them would be a memory figure of their
    own); returns (orders, commands)."""
    total = int(options.memory_orders * COMMANDS_PER_ORDER)
    sending = Progress("memory: commands sent", total=total, unit="commands")
    orders = commands = 0
    prefix = f"BM-{run_tag()}"
    async with command_api(f"http://127.0.0.1:{settings.command_api_port}", 1) as client:
        for piece in range(0, total, 50_000):
            plans = plans_with_commands(f"{prefix}-{piece}", min(50_000, total - piece), options.seed + piece)
            orders += len(plans)
            for chunk in chunks(in_send_order(plans), BATCH_LINES):
                answer = await post_batch(client, chunk)
                if answer.refused:
                    raise RuntimeError(f"the batch endpoint refused {len(answer.refused)} lines: {answer.refused[:2]}")
                commands += len(chunk)
                sending.advance(len(chunk))
    sending.finish()
    return orders, commands


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    started = time.monotonic()
    orders, commands = asyncio.run(_send(settings, options))
    backlog = wait_for_worker(settings, options.settle_timeout_s * 4)
    elapsed = time.monotonic() - started
    memory = app_memory(settings)
    workers = [memory[service.name] for service in worker_services(settings) if service.name in memory]
    # The worker's processes together (the deciders' and the projectors' when each runs in its own).
    peak = sum(process.peak_rss_mib for process in workers) if workers else None
    result = ScenarioResult("memory", {"orders": orders, "commands": commands})
    result.rows = [
        Row("orders through the pipeline", float(orders), "orders"),
        Row("commands in → worker caught up", rate(commands, elapsed), "commands/s"),
        Row("worker peak RSS" + (f" ({len(workers)} processes together)" if len(workers) > 1 else ""),
            peak or 0.0, "MiB"),
    ]
    result.checks = [TargetCheck(WORKER_RSS, peak if backlog == 0 else None,
                                 f"after {orders:,} orders" if backlog == 0 else f"{backlog:,} records still behind")]
    result.notes = [
        f"{orders:,} generated orders ({commands:,} commands) through the batch endpoint, then until the worker's "
        "group had no backlog on the order topics; the worker's VmHWM (highest resident set since it started).",
    ]
    return result
