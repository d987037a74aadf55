"""One scenario at a tiny size against the real system: it runs, writes its files, and reports every target."""

from pathlib import Path

from bench.options import BenchOptions
from bench.results import RESULT_KEYS
from bench.run import run_scenarios
from ops.launcher.services import worker_services
from ops.settings import Settings


def test_ingest_at_a_tiny_size_writes_json_markdown_and_chart(system: Settings, tmp_path: Path) -> None:
    # 600 batch lines: about 40 ms of API CPU, several of /proc's 10 ms ticks (50 lines, about 3.5 ms, read as 0).
    options = BenchOptions(ingest_seconds=1, concurrency=(1, 4), batch_commands=600, batch_lines_per_request=50,
                           results_dir=tmp_path)
    [result] = run_scenarios(system, ["ingest"], options)

    assert tuple(result) == RESULT_KEYS
    assert {path.name for path in tmp_path.iterdir()} >= {"ingest.json", "ingest.md", "ingest.png"}
    rates = {row["measure"]: row for row in result["rows"] if row["unit"] == "commands/s"}
    assert list(rates) == ["single commands, concurrency 1", "single commands, concurrency 4", "batch (NDJSON)",
                           "single commands, concurrency 64, worker stopped", "batch (NDJSON), worker stopped"]
    assert all(row["value"] > 0 and row["raw"] > 0 for row in rates.values())
    cpu = {row["measure"]: row["value"] for row in result["rows"] if row["unit"] == "µs/command"}
    assert len(cpu) == 10 and cpu["single commands, concurrency 4, load generator CPU"] > 0
    assert cpu["batch (NDJSON), command API CPU"] > 0
    assert all(service.process(system).pid() is not None for service in worker_services(system))  # started again
    assert [check["name"] for check in result["targets"]] == [
        "single-command ingest at concurrency 64", "single-command p99 latency at concurrency 64", "batch ingest"]
    assert result["targets"][0]["met"] is None  # concurrency 64 was not part of this run
    assert "worker" in result["memory"] and result["memory"]["worker"]["peak_rss_mib"] > 0
