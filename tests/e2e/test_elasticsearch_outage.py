"""Elasticsearch stops for 30 s while orders keep coming; reads answer 503 meanwhile. Once it is back, every
order, event, customer total and reservation is indexed as the event log says, at its aggregate's version."""

import time

import httpx
import pytest

from ops.launcher import elasticsearch, stack
from ops.settings import Settings
from tests.faults.checks import assert_survives
from tests.faults.workload import Workload

OUTAGE_S = 30.0


def outage(settings: Settings, queries: httpx.Client, order_id: str) -> None:
    """Elasticsearch down for ``OUTAGE_S``: the query API says so with a 503, never a 500."""
    assert elasticsearch.process(settings).stop(), "Elasticsearch was not running"
    stopped = time.monotonic()
    try:
        answer = queries.get(f"/orders/{order_id}")
        assert answer.status_code == 503, answer.text
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - stopped)))
    finally:
        stack.up(settings)


@pytest.mark.parametrize(("orders", "outages"), [(16, 1), pytest.param(48, 2, marks=pytest.mark.slow)])
def test_orders_decided_while_elasticsearch_is_down_are_all_indexed_after(
    system: Settings, commands: httpx.Client, queries: httpx.Client, orders: int, outages: int,
) -> None:
    workload = Workload.new("OUTAGE", orders)
    assert_survives(system, commands, queries, workload, lambda: outage(system, queries, workload.scripts[0].order_id),
                    outages, pause_s=2.0 * outages)
