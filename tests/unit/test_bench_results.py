import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.memory import ProcessMemory, status_fields
from bench.options import BenchOptions, options_from
from bench.results import RESULT_KEYS, Row, ScenarioResult, load_all, save
from bench.targets import Target, TargetCheck


def a_result() -> ScenarioResult:
    return ScenarioResult(
        "ingest", {"requests_per_level": 100},
        rows=[Row("batch (NDJSON)", 4000.0, "commands/s", 8000.0), Row("p99", 12.5, "ms")],
        checks=[TargetCheck(Target("batch ingest", "at_least", 50_000, "commands/s"), 4000.0)],
        memory={"worker": ProcessMemory("worker", 42, 512.34, 300.0)},
        notes=["measured while other work ran"],
        measured_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    )


def test_result_json_has_every_key_and_plain_values() -> None:
    data = a_result().as_json()
    assert tuple(data) == RESULT_KEYS
    assert data["measured_at"] == "2026-03-01T12:00:00Z"
    assert data["rows"][0] == {"measure": "batch (NDJSON)", "value": 4000.0, "unit": "commands/s", "raw": 8000.0,
                               "raw_unit": "commands/s", "ratio": 0.5}
    assert data["rows"][1]["ratio"] is None
    assert data["targets"][0]["met"] is False
    assert data["targets"][0]["missed_by"] == 46_000
    assert data["memory"] == {"worker": {"pid": 42, "peak_rss_mib": 512.3, "rss_mib": 300.0}}
    json.dumps(data)  # serialisable as it is


def test_saved_results_load_back_in_scenario_order(tmp_path: Path) -> None:
    data = a_result().as_json()
    written = save(data, "# table\n", tmp_path)
    assert [path.name for path in written] == ["ingest.json", "ingest.md"]
    assert load_all(tmp_path, ("pipeline", "ingest")) == [data]


def test_proc_status_fields_in_kibibytes() -> None:
    text = "Name:\tpython3\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\nThreads:\t4\n"
    assert status_fields(text) == {"VmHWM": 524288, "VmRSS": 262144}


def test_options_given_override_defaults_and_quick_sizes() -> None:
    assert options_from({}, quick=False) == BenchOptions()
    quick = options_from({"rate": 200.0, "ingest_seconds": None, "scenario": "ingest"}, quick=True)
    assert quick.rate == 200.0
    assert quick.ingest_seconds == 3.0
    assert quick.orders == (2000,)


@pytest.mark.parametrize("scenario", ["ingest", "pipeline", "freshness", "query", "rebuild"])
def test_every_scenario_module_has_a_run_function(scenario: str) -> None:
    import importlib

    assert callable(importlib.import_module(f"bench.scenarios.{scenario}").run)
