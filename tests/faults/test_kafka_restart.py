"""Kafka stops and starts again while orders come in: the APIs and the worker reconnect on their own, every
command a client got accepted (retrying with its Idempotency-Key) is decided exactly once, and every read model
agrees with the event log afterwards."""

import time

import httpx
import pytest

from ops.launcher import kafka, stack
from ops.settings import Settings
from tests.faults.checks import assert_survives
from tests.faults.workload import Workload

DOWN_S = 2.0


def restart_kafka(settings: Settings) -> None:
    assert kafka.process(settings).stop(), "Kafka was not running"
    time.sleep(DOWN_S)
    stack.up(settings)  # starts Kafka again; the worker and the APIs keep running


@pytest.mark.parametrize(("orders", "restarts"), [(12, 1), pytest.param(48, 3, marks=pytest.mark.slow)])
def test_a_kafka_restart_under_load_loses_and_doubles_nothing(
    system: Settings, commands: httpx.Client, queries: httpx.Client, orders: int, restarts: int,
) -> None:
    assert_survives(system, commands, queries, Workload.new("KAFKA", orders), lambda: restart_kafka(system),
                    restarts, pause_s=0.5)
