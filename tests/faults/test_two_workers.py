"""Two workers share the partitions; ``kill -9`` of one under load and the other takes its partitions over.

The test runs the worker as two workers (each as its processes: deciders and projectors), checks that both hold
partitions, then sends orders and kills every process of the first worker with ``kill -9`` while they come in. The
second one takes the first one's partitions, restoring their tables from the changelogs, and decides and projects
everything: each accepted command decided once, nothing doubled on the event log (read ``read_committed``), the
views equal to the fold of the log. Afterwards the system is put back as it was: one worker.
"""

import os
import signal
from collections.abc import Iterator

import httpx
import pytest

from ops.launcher import stack
from ops.launcher.processes import pid_alive
from ops.launcher.services import AppService, worker_services
from ops.settings import Settings
from tests.faults.checks import assert_survives
from tests.faults.workload import Workload
from tests.support import eventually


def stop_workers(settings: Settings) -> None:
    for service in worker_services(settings):
        service.process(settings).stop()


def held_partitions(service: AppService, settings: Settings) -> dict[str, list[int]]:
    """The partitions each loop of this worker process holds, as its ``/health`` reports them (also while it is
    unhealthy, e.g. during a rebalance)."""
    loops = httpx.get(service.health_url(settings), timeout=5).json()["loops"]
    return {name: loop["partitions"] for name, loop in loops.items()}


@pytest.fixture
def two_workers(system: Settings) -> Iterator[Settings]:
    two = system.model_copy(update={"workers": 2})
    stop_workers(system)
    try:
        stack.up(two)
        yield two
    finally:
        stop_workers(two)
        stack.up(system)


def test_the_other_worker_takes_over_after_kill_9(two_workers: Settings, commands: httpx.Client,
                                                   queries: httpx.Client) -> None:
    services = worker_services(two_workers)
    first, second = services[: len(services) // 2], services[len(services) // 2:]
    eventually(lambda: all(any(held_partitions(service, two_workers).values()) for service in services), timeout_s=60)
    pids = [service.process(two_workers).pid() for service in first]

    def kill_the_first_worker() -> None:
        for pid in pids:
            assert pid is not None
            os.kill(pid, signal.SIGKILL)

    assert_survives(two_workers, commands, queries, Workload.new("TWO-WORKERS", 24), kill_the_first_worker)
    assert not any(pid is not None and pid_alive(pid) for pid in pids)
    assert all(service.healthy(two_workers) for service in second)
