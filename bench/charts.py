"""PNG charts beside the results (matplotlib, no display needed)."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first


def latency_by_level(path: Path, title: str, x_label: str, levels: Sequence[str],
                     series: Mapping[str, Sequence[float]]) -> str:
    """Grouped bars: one group per level (a concurrency, a data set size), one bar per series (p50, p99…)."""
    figure, axes = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(len(series), 1)
    for index, (name, values) in enumerate(series.items()):
        axes.bar([position + index * width for position in range(len(levels))], values, width, label=name)
    axes.set_xticks([position + width * (len(series) - 1) / 2 for position in range(len(levels))], levels)
    axes.set_xlabel(x_label)
    axes.set_ylabel("latency, ms")
    axes.set_title(title)
    axes.legend()
    return _save(figure, path)


def distribution(path: Path, title: str, values_ms: Sequence[float]) -> str:
    """The share of values at or below each latency (an empirical CDF)."""
    ordered = sorted(values_ms)
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(ordered, [(index + 1) / len(ordered) for index in range(len(ordered))])
    axes.set_xlabel("latency, ms")
    axes.set_ylabel("share of commands")
    axes.set_ylim(0, 1.01)
    axes.grid(True, alpha=0.3)
    axes.set_title(title)
    return _save(figure, path)


def _save(figure: "plt.Figure", path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path.name
