"""The sizes and durations of the scenarios; `--quick` picks small ones that finish in a minute or two."""

import secrets
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.results import RESULTS_DIR


@dataclass(frozen=True)
class BenchOptions:
    ingest_seconds: float = 10.0  # single commands: how long wrk runs per concurrency level
    concurrency: tuple[int, ...] = (1, 16, 64)
    batch_commands: int = 50_000
    batch_lines_per_request: int = 10_000
    pipeline_commands: int = 20_000
    pipeline_warmup: int = 2_000  # pipeline: commands through the whole pipeline before the measured ones
    rate: float = 500.0  # freshness: commands per second
    duration_s: float = 30.0
    orders: tuple[int, ...] = (100_000, 1_000_000)  # query: data set sizes
    query_requests: int = 200  # per query kind and size
    load_timeout_s: float = 900.0  # query: longest wait for one size to be indexed
    rebuild_model: str = "orders"
    memory_orders: int = 200_000  # memory: orders through the pipeline before the worker's peak RSS is read
    settle_timeout_s: float = 600.0  # longest wait for the worker's backlog before a scenario
    results_dir: Path = RESULTS_DIR
    seed: int = 42


QUICK: dict[str, Any] = {
    "ingest_seconds": 3.0, "batch_commands": 5000, "batch_lines_per_request": 2500, "pipeline_commands": 2000,
    "pipeline_warmup": 500,
    "duration_s": 10.0, "orders": (2000,), "query_requests": 30, "load_timeout_s": 300.0,
    "settle_timeout_s": 120.0, "memory_orders": 2000,
}


def options_from(values: dict[str, Any], quick: bool) -> BenchOptions:
    """Defaults (or the quick sizes), overridden by every value given (``None``: not given)."""
    base = replace(BenchOptions(), **QUICK) if quick else BenchOptions()
    names = {option.name for option in fields(BenchOptions)}
    return replace(base, **{name: value for name, value in values.items() if name in names and value is not None})


def run_tag() -> str:
    """Names this run's orders, so runs never collide with each other or with earlier data."""
    return datetime.now(UTC).strftime("%m%d%H%M%S") + secrets.token_hex(2).upper()
