"""``kill -9`` of the worker in the middle of a stream of commands loses nothing and doubles nothing.

Orders are sent while the worker is killed and started again (the long run kills it several times). Afterwards
every command the API accepted is decided, each exactly once in ``orders.events``, and Elasticsearch, the
customer summary, the statistics and the reserved stock all agree with what the event log adds up to.
"""

import os
import signal

import httpx
import pytest

from ops.launcher import stack
from ops.launcher.processes import pid_alive
from ops.launcher.services import worker_services
from ops.settings import Settings
from tests.faults.checks import assert_survives
from tests.faults.workload import Workload
from tests.support import eventually


def kill_worker(settings: Settings) -> list[int]:
    """Every process of the worker (the deciders' and the projectors'), with ``kill -9``."""
    pids = [service.process(settings).pid() for service in worker_services(settings)]
    assert None not in pids, "the worker is not running"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)  # type: ignore[arg-type]  # no None: asserted above
    eventually(lambda: not any(pid_alive(pid) for pid in pids), timeout_s=10)  # type: ignore[arg-type]  # no None: asserted above
    return pids  # type: ignore[return-value]  # no None: asserted above


@pytest.mark.parametrize(("orders", "kills"), [(24, 1), pytest.param(64, 3, marks=pytest.mark.slow)])
def test_kill_9_of_the_worker_loses_and_doubles_nothing(
    system: Settings, commands: httpx.Client, queries: httpx.Client, orders: int, kills: int,
) -> None:
    killed: list[int] = []

    def kill_and_restart() -> None:
        killed.extend(kill_worker(system))
        stack.up(system)  # restarts the worker while commands keep coming

    assert_survives(system, commands, queries, Workload.new("CRASH", orders), kill_and_restart, kills)
    assert all(service.process(system).pid() not in (None, *killed) for service in worker_services(system))
