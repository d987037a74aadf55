"""A service this process started and stopped does not look alive: its zombie is reaped, not waited out."""

import os
import signal
import subprocess
import time

from ops.launcher.processes import group_alive, pid_alive


def test_a_stopped_child_of_ours_leaves_no_live_group() -> None:
    child = subprocess.Popen(["sleep", "60"], start_new_session=True)
    assert group_alive(child.pid)
    os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while pid_alive(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(child.pid)
    assert not group_alive(child.pid)
