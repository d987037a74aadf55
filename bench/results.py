"""A scenario's result: what was measured, against which targets, and where it is written."""

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.memory import ProcessMemory
from bench.stats import ratio
from bench.targets import TargetCheck

RESULTS_DIR = Path(__file__).parent / "results"
RESULT_KEYS = ("scenario", "measured_at", "machine", "parameters", "rows", "targets", "memory", "notes", "charts",
               "details")


@dataclass(frozen=True)
class Row:
    """One figure of ours, with the raw client's figure for the same work when there is one."""

    measure: str
    value: float
    unit: str
    raw: float | None = None
    raw_unit: str | None = None  # when the raw client's figure counts something else than ours

    def as_json(self) -> dict[str, Any]:
        return {"measure": self.measure, "value": self.value, "unit": self.unit, "raw": self.raw,
                "raw_unit": self.raw_unit or self.unit,
                "ratio": ratio(self.value, self.raw) if self.raw is not None else None}


@dataclass
class ScenarioResult:
    scenario: str
    parameters: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    checks: list[TargetCheck] = field(default_factory=list)
    memory: dict[str, ProcessMemory] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    measured_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "measured_at": self.measured_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "machine": {"cpus": os.cpu_count()},
            "parameters": self.parameters,
            "rows": [row.as_json() for row in self.rows],
            "targets": [check.as_json() for check in self.checks],
            "memory": {name: memory.as_json() for name, memory in self.memory.items()},
            "notes": self.notes,
            "charts": self.charts,
            "details": self.details,
        }


def save(result: dict[str, Any], markdown: str, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{result['scenario']}.json"
    markdown_path = directory / f"{result['scenario']}.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    markdown_path.write_text(markdown)
    return [json_path, markdown_path]


def load_all(directory: Path, order: tuple[str, ...]) -> list[dict[str, Any]]:
    """The stored results of the scenarios in ``order`` that have one."""
    paths = [directory / f"{name}.json" for name in order]
    return [json.loads(path.read_text()) for path in paths if path.exists()]
