"""Arithmetic on measurements: percentiles, rates and ratios."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..100): a value that was actually measured."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 <= share <= 100:
        raise ValueError(f"percentile share must be within 0..100, got {share}")
    ordered = sorted(values)
    rank = max(math.ceil(share / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def rate(count: int, seconds: float) -> float:
    """Things per second; zero when no time passed (nothing measurable happened)."""
    return count / seconds if seconds > 0 else 0.0


def ratio(ours: float, raw: float) -> float | None:
    """``ours / raw``; ``None`` when there is no raw figure to compare with."""
    return ours / raw if raw > 0 else None


@dataclass(frozen=True)
class Latency:
    """Latencies in milliseconds."""

    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of_seconds(cls, seconds: Sequence[float]) -> "Latency":
        millis = [value * 1000 for value in seconds]
        return cls(len(millis), percentile(millis, 50), percentile(millis, 99), max(millis))
