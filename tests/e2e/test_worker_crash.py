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
from ops.launcher.processes import ManagedProcess, pid_alive
from ops.settings import Settings
from tests.faults.checks import assert_survives
from tests.faults.workload import Workload
from tests.support import eventually


def kill_worker(settings: Settings) -> int:
    pid = ManagedProcess("worker", settings).pid()
    assert pid is not None, "the worker is not running"
    os.kill(pid, signal.SIGKILL)
    eventually(lambda: not pid_alive(pid), timeout_s=10)
    return pid


@pytest.mark.parametrize(("orders", "kills"), [(24, 1), pytest.param(64, 3, marks=pytest.mark.slow)])
def test_kill_9_of_the_worker_loses_and_doubles_nothing(
    system: Settings, commands: httpx.Client, queries: httpx.Client, orders: int, kills: int,
) -> None:
    killed: list[int] = []

    def kill_and_restart() -> None:
        killed.append(kill_worker(system))
        stack.up(system)  # restarts the worker while commands keep coming

    assert_survives(system, commands, queries, Workload.new("CRASH", orders), kill_and_restart, kills)
    assert ManagedProcess("worker", system).pid() not in (None, *killed)
