"""Kafka killed with ``kill -9`` under load, kept away for a while, then started again: the worker says it cannot
reach Kafka while it is away, resumes by itself once it is back, and afterwards every accepted command is in the
event log exactly once and every read model agrees with the log."""

import os
import signal
import time

import httpx
import pytest

from ops.launcher import kafka, stack
from ops.launcher.processes import pid_alive
from ops.settings import Settings
from tests.faults.checks import assert_survives
from tests.faults.workload import Workload
from tests.support import eventually

RESUMED_WITHIN_S = 60.0


def worker_health(settings: Settings) -> tuple[int, dict]:
    try:
        answer = httpx.get(f"http://127.0.0.1:{settings.worker_web_port}/health", timeout=5)
    except httpx.HTTPError:
        return 0, {}
    return answer.status_code, answer.json()


def kafka_problem(body: dict) -> bool:
    return any("kafka" in loop.get("problems", {}) for loop in body.get("loops", {}).values())


def kill_kafka_for(settings: Settings, seconds: float, seen_unhealthy: list[dict]) -> None:
    pid = kafka.process(settings).pid()
    assert pid is not None, "Kafka is not running"
    os.kill(pid, signal.SIGKILL)
    eventually(lambda: not pid_alive(pid), timeout_s=10)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = worker_health(settings)
        if status == 503 and kafka_problem(body):
            seen_unhealthy.append(body)
        time.sleep(1.0)
    stack.up(settings)  # starts Kafka again; the worker and the APIs keep running
    eventually(lambda: worker_health(settings)[0] == 200, timeout_s=RESUMED_WITHIN_S, interval_s=1.0)


@pytest.mark.parametrize(("orders", "away_s"), [(12, 20.0), pytest.param(48, 60.0, marks=pytest.mark.slow)])
def test_kafka_killed_under_load_is_waited_out_and_nothing_is_lost_or_doubled(
    system: Settings, commands: httpx.Client, queries: httpx.Client, orders: int, away_s: float,
) -> None:
    unhealthy: list[dict] = []
    assert_survives(system, commands, queries, Workload.new("LOSS", orders),
                    lambda: kill_kafka_for(system, away_s, unhealthy), pause_s=0.5)
    assert unhealthy, "the worker's /health never said it could not reach Kafka"
