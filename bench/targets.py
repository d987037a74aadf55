"""The targets from the issue (for a 2-core machine), and whether a measured figure meets them."""

from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["at_least", "at_most"]


@dataclass(frozen=True)
class Target:
    name: str
    direction: Direction
    threshold: float
    unit: str

    def describe(self) -> str:
        sign = "≥" if self.direction == "at_least" else "≤"
        return f"{sign} {_number(self.threshold)} {self.unit}".strip()


@dataclass(frozen=True)
class TargetCheck:
    target: Target
    value: float | None  # None: not measured in this run
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.target.direction == "at_least":
            return self.value >= self.target.threshold
        return self.value <= self.target.threshold

    @property
    def missed_by(self) -> float | None:
        """How far the value is on the wrong side of the threshold (0 when met)."""
        if self.value is None:
            return None
        gap = self.target.threshold - self.value if self.target.direction == "at_least" else self.value - self.target.threshold
        return max(gap, 0.0)

    @property
    def missed_by_share(self) -> float | None:
        """``missed_by`` as a share of the threshold (0.25: 25 % short of it or over it)."""
        missed = self.missed_by
        if missed is None or self.target.threshold == 0:
            return None
        return missed / self.target.threshold

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.target.name, "target": self.target.describe(), "direction": self.target.direction,
            "threshold": self.target.threshold, "unit": self.target.unit, "value": self.value, "met": self.met,
            "missed_by": self.missed_by, "missed_by_share": self.missed_by_share, "note": self.note,
        }


def verdict(check: dict[str, Any]) -> str:
    """A check (as stored in a result) in words: met, missed by how much, or not measured."""
    if check["met"] is None:
        return "not measured"
    if check["met"]:
        return "met"
    share = check.get("missed_by_share")
    amount = f"{_number(check['missed_by'])} {check['unit']}".strip()
    return f"missed by {amount}" + (f" ({share:.0%})" if share is not None else "")


def _number(value: float) -> str:
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:,.2f}"


INGEST_SINGLE_RATE = Target("single-command ingest at concurrency 64", "at_least", 5000, "commands/s")
INGEST_SINGLE_P99 = Target("single-command p99 latency at concurrency 64", "at_most", 50, "ms")
INGEST_BATCH_RATE = Target("batch ingest", "at_least", 50_000, "commands/s")
PIPELINE_RATE = Target("pipeline end to end (goal; the floor is 1,500)", "at_least", 5000, "commands/s")
PIPELINE_RATIO = Target("pipeline indexing vs raw bulk", "at_least", 0.7, "× raw")
FRESHNESS_P99 = Target("freshness p99 at 500 commands/s", "at_most", 2000, "ms")
QUERY_P99 = {kind: Target(f"{kind} p99 at 1M orders", "at_most", 50, "ms")
             for kind in ("search", "faceted search", "stats", "timeline")}
REBUILD_RATIO = Target("rebuild vs raw bulk", "at_least", 0.8, "× raw")
WORKER_RSS = Target("worker peak RSS after 200,000 orders through the pipeline", "at_most", 1024, "MiB")
