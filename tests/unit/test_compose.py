"""docker-compose.yml: the services exist, every ORDERFLOW_* variable is a real setting, ports stay on 127.0.0.1.

Pydantic-settings ignores unknown ``ORDERFLOW_*`` variables (``extra="ignore"``), so a misspelt name
in the compose file would silently fall back to a default; these tests catch it without Docker.
"""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

SERVERS = {"kafka", "elasticsearch", "kibana"}
APPS = {"worker", "command-api", "query-api"}
EXPECTED_SERVICES = SERVERS | APPS | {"init"}
LOOPBACK = "127.0.0.1"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict), f"{COMPOSE_FILE.name} is not a YAML mapping"
    assert isinstance(document.get("services"), dict), f"{COMPOSE_FILE.name} has no services mapping"
    return document


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment, from either compose syntax: a mapping or a list of ``NAME=value``."""
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return {str(name): None if value is None else str(value) for name, value in env.items()}
    pairs = (str(item).partition("=") for item in env)
    return {name: value if sep else None for name, sep, value in pairs}


def setting_env_names() -> set[str]:
    prefix = Settings.model_config["env_prefix"].upper()
    return {prefix + field.upper() for field in Settings.model_fields}


def published_host_ip(port: Any) -> str | None:
    """The host address of one ``ports`` entry (short or long syntax); None when it is not given."""
    if isinstance(port, dict):
        return port.get("host_ip")
    text = str(port).split("/", 1)[0]
    if text.startswith("["):  # "[::1]:8000:8000"
        return text[1:text.index("]")]
    parts = text.split(":")
    return parts[0] if len(parts) == 3 else None


def test_expected_services_exist(compose: dict[str, Any]) -> None:
    missing = EXPECTED_SERVICES - set(compose["services"])
    assert not missing, f"services missing from {COMPOSE_FILE.name}: {sorted(missing)}"


def test_init_runs_orderflow_init_and_the_apps_wait_for_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    command = services["init"].get("command")
    command = command.split() if isinstance(command, str) else command
    assert command == ["orderflow", "init"]
    for server in ("kafka", "elasticsearch"):
        assert services["init"]["depends_on"][server]["condition"] == "service_healthy", f"init waits for {server}"
    for app in sorted(APPS):
        assert services[app]["depends_on"]["init"]["condition"] == "service_completed_successfully", app
        assert "healthcheck" in services[app], f"{app} has no healthcheck"


def test_every_orderflow_variable_is_a_setting(compose: dict[str, Any]) -> None:
    prefix = Settings.model_config["env_prefix"].upper()
    known = setting_env_names()
    used = {
        (service_name, name)
        for service_name, service in compose["services"].items()
        for name in environment(service)
        if name.upper().startswith(prefix)
    }
    assert used, f"no {prefix}* variable is set in {COMPOSE_FILE.name}"
    unknown = sorted(f"{service}: {name}" for service, name in used if name.upper() not in known)
    assert not unknown, f"not fields of common.settings.Settings (ignored silently): {unknown}"


def test_apps_reach_the_servers_by_service_name_and_listen_on_all_interfaces(compose: dict[str, Any]) -> None:
    expected = {
        "ORDERFLOW_KAFKA_BOOTSTRAP": "kafka:9092",
        "ORDERFLOW_ELASTICSEARCH_URL": "http://elasticsearch:9200",
        "ORDERFLOW_COMMAND_API_HOST": "0.0.0.0",
        "ORDERFLOW_QUERY_API_HOST": "0.0.0.0",
    }
    for name in sorted(APPS | {"init"}):
        env = environment(compose["services"][name])
        for variable, value in expected.items():
            assert env.get(variable) == value, f"{name}: {variable}={env.get(variable)!r}, expected {value!r}"


def test_published_ports_are_bound_to_loopback(compose: dict[str, Any]) -> None:
    published = []
    for name, service in compose["services"].items():
        assert service.get("network_mode") != "host", f"{name} uses the host network: its ports are not bound to {LOOPBACK}"
        for port in service.get("ports") or []:
            published.append(port)
            assert published_host_ip(port) == LOOPBACK, f"{name}: port {port!r} is not bound to {LOOPBACK}"
    assert published, f"{COMPOSE_FILE.name} publishes no port"
    for name, port in (("command-api", 8000), ("query-api", 8001)):
        assert f"{LOOPBACK}:{port}:{port}" in compose["services"][name].get("ports", []), f"{name} is not on {port}"


def _docker_compose_missing() -> str | None:
    """Why ``docker compose`` cannot be run here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker client on PATH"
    try:
        result = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"`docker compose version` did not run: {error}"
    if result.returncode != 0:
        return "the docker client has no compose plugin (`docker compose version` failed)"
    return None


DOCKER_COMPOSE_MISSING = _docker_compose_missing()


@pytest.mark.skipif(DOCKER_COMPOSE_MISSING is not None, reason=DOCKER_COMPOSE_MISSING or "")
def test_docker_compose_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, f"docker compose config failed:\n{result.stderr}"


def test_the_cluster_profile_adds_two_brokers_and_a_second_worker(compose: dict[str, Any]) -> None:
    services = compose["services"]
    in_profile = {name for name, service in services.items() if "cluster" in (service.get("profiles") or [])}
    assert in_profile == {"kafka-2", "kafka-3", "worker-2"}
    brokers = [services[name]["environment"] for name in ("kafka", "kafka-2", "kafka-3")]
    assert [str(env["KAFKA_NODE_ID"]) for env in brokers] == ["1", "2", "3"]
    assert {env["KAFKA_CONTROLLER_QUORUM_VOTERS"] for env in brokers} == {"1@kafka:9093"}
    assert {env["CLUSTER_ID"] for env in brokers} == {brokers[0]["CLUSTER_ID"]}
    workers = [environment(services[name]) for name in ("worker", "worker-2")]
    assert [env.get("ORDERFLOW_WORKER_INDEX", "0") for env in workers] == ["0", "1"]
    assert {env["ORDERFLOW_WORKER_ID"] for env in workers} == {"orderflow"}
    for broker in ("kafka-2", "kafka-3"):
        assert services["init"]["depends_on"][broker] == {"condition": "service_healthy", "required": False}
