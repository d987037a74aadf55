"""`up` twice is harmless, a taken port is a one-line error, and `down` leaves no process behind.

Runs a second, isolated system (own ports and data folder) so the shared one keeps serving the other tests.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ops.launcher import stack
from ops.launcher.processes import group_alive, pid_alive, port_open
from ops.settings import Settings


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    ports = _free_ports(7)
    return Settings(
        data_dir=tmp_path_factory.mktemp("isolated-system"), cache_dir=settings.cache_dir,
        kafka_port=ports[0], kafka_controller_port=ports[1], kafka_bootstrap=f"127.0.0.1:{ports[0]}",
        kafka_sasl_port=ports[6] if settings.kafka_sasl_port else 0,
        elasticsearch_port=ports[2], elasticsearch_url=f"http://127.0.0.1:{ports[2]}",
        command_api_port=ports[3], query_api_port=ports[4], worker_web_port=ports[5], worker_id="orderflow-isolated",
        elasticsearch_heap="512m", kafka_heap="256m",
    )


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ops.cli", *args], env={**_base_env(), **settings.as_env()},
                          capture_output=True, text=True, timeout=400)


def _base_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("ORDERFLOW_")}


def test_up_twice_then_down_leaves_nothing_running(isolated: Settings) -> None:
    first = _cli(isolated, "up")
    assert first.returncode == 0, first.stdout + first.stderr
    pids = {entry.name: entry.pid for entry in stack.status(isolated)}
    assert all(pids.values()), pids

    second = _cli(isolated, "up")
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stdout
    assert {entry.name: entry.pid for entry in stack.status(isolated)} == pids

    down = _cli(isolated, "down")
    assert down.returncode == 0, down.stderr
    for name, pid in pids.items():
        assert pid is not None and not pid_alive(pid) and not group_alive(pid), name
    ports = (isolated.kafka_port, isolated.kafka_controller_port, isolated.elasticsearch_port,
             isolated.command_api_port, isolated.query_api_port, isolated.worker_web_port, isolated.kafka_sasl_port)
    assert not any(port_open(port) for port in ports)
    assert not list(Path(isolated.run_dir).glob("*.pid"))


def test_a_taken_port_is_a_one_line_error(isolated: Settings) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = isolated.model_copy(update={"kafka_port": blocker.getsockname()[1]})
        result = _cli(taken, "up", "--servers-only")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {taken.kafka_port}" in lines[0] and "ORDERFLOW_KAFKA_PORT" in lines[0]


def test_a_missing_java_is_a_one_line_error(isolated: Settings, tmp_path: Path) -> None:
    result = _cli(isolated.model_copy(update={"java_home": tmp_path}), "up", "--servers-only")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "ORDERFLOW_JAVA_HOME" in result.stderr
