"""Waiting for the worker to catch up, so one scenario's backlog does not count in the next one's figures."""

import time

from common.clients import kafka_options
from common.lag import GroupLag, LagUnavailable
from ops.settings import Settings
from schemas.topics import ORDERS_COMMANDS, ORDERS_EVENTS

# The scenarios send order commands only; their figures depend on these two topics.
BENCH_TOPICS = (ORDERS_COMMANDS, ORDERS_EVENTS)


def worker_backlog(settings: Settings) -> int:
    """Order commands and events the worker's consumer group has not processed (committed) yet."""
    lag = GroupLag(kafka_options(settings), settings.worker_id)
    try:
        return sum(row.lag for row in lag.lag(BENCH_TOPICS))
    finally:
        lag.close()


def wait_for_worker(settings: Settings, timeout_s: float, interval_s: float = 2.0) -> int:
    """Wait until the worker has no backlog (or ``timeout_s`` passed); returns the backlog left."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            backlog = worker_backlog(settings)
        except LagUnavailable:
            backlog = -1
        if backlog == 0 or time.monotonic() >= deadline:
            return backlog
        print(f"\rwaiting for the worker to catch up: {backlog:,} records behind", end="", flush=True)
        time.sleep(interval_s)
