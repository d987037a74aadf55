"""`orderflow bench <scenario>`: run scenarios against the running system, write and print their results."""

import importlib
from collections.abc import Sequence
from typing import Any, Protocol

from bench.markdown import MEASUREMENT_HEADERS, measurement_cells, render_result, table
from bench.memory import app_memory
from bench.options import BenchOptions
from bench.results import ScenarioResult, save
from bench.settle import wait_for_worker
from ops.launcher.errors import LauncherError
from ops.launcher.services import app_services
from ops.settings import Settings

SCENARIOS = ("ingest", "pipeline", "freshness", "query", "rebuild", "memory")


class Scenario(Protocol):
    def run(self, settings: Settings, options: BenchOptions) -> ScenarioResult: ...


def require_running(settings: Settings) -> None:
    down = [service.name for service in app_services(settings) if not service.healthy(settings)]
    if down:
        raise LauncherError(f"not running or not healthy: {', '.join(down)}; start the system with `orderflow up`")


def run_scenarios(settings: Settings, names: Sequence[str], options: BenchOptions) -> list[dict[str, Any]]:
    require_running(settings)
    results = []
    for name in names:
        print(f"== bench {name}", flush=True)
        backlog = wait_for_worker(settings, options.settle_timeout_s)
        scenario: Scenario = importlib.import_module(f"bench.scenarios.{name}")
        result = scenario.run(settings, options)
        if backlog > 0:
            result.notes.append(f"The worker was still {backlog:,} records behind (earlier work) when this started.")
        result.memory = app_memory(settings)
        data = result.as_json()
        written = save(data, render_result(data), options.results_dir)
        print(table(MEASUREMENT_HEADERS, [measurement_cells(row) for row in data["rows"]]))
        print("written: " + ", ".join(str(path) for path in written), flush=True)
        results.append(data)
    return results
