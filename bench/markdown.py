"""Markdown tables of stored results (the JSON written by `results.save`)."""

from collections.abc import Sequence
from typing import Any

from bench.targets import verdict


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1) -> str:
    """A Markdown table; columns from ``numeric_from`` on are right-aligned."""
    aligns = ["---" if index < numeric_from else "---:" for index in range(len(headers))]
    lines = [_line(headers), _line(aligns), *(_line(row) for row in rows)]
    return "\n".join(lines) + "\n"


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if unit.startswith("×"):
        text = f"{value:.2f}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}".strip()


def measurement_cells(row: dict[str, Any]) -> list[str]:
    ratio = row.get("ratio")
    return [row["measure"], number(row["value"], row["unit"]), number(row.get("raw"), row.get("raw_unit") or row["unit"]),
            "" if ratio is None else f"{ratio:.2f}"]


def target_cells(check: dict[str, Any]) -> list[str]:
    cells = [check["name"], check["target"], number(check["value"], check["unit"]), verdict(check)]
    return cells[:3] + [cells[3] + (f" ({check['note']})" if check.get("note") else "")]


MEASUREMENT_HEADERS = ("measure", "ours", "raw client", "ours / raw")
TARGET_HEADERS = ("target", "goal", "measured", "verdict")


def render_result(result: dict[str, Any]) -> str:
    parameters = ", ".join(f"{key}={value}" for key, value in result["parameters"].items())
    parts = [
        f"# Benchmark: {result['scenario']}\n",
        f"Measured {result['measured_at']} on {result['machine']['cpus']} CPUs. Parameters: {parameters or 'none'}.\n",
        table(MEASUREMENT_HEADERS, [measurement_cells(row) for row in result["rows"]]),
    ]
    if result["targets"]:
        parts += ["## Targets\n", table(TARGET_HEADERS, [target_cells(check) for check in result["targets"]])]
    if result["memory"]:
        parts += ["## Memory\n", memory_table(result["memory"])]
    if result["notes"]:
        parts += ["## Notes\n", "".join(f"- {note}\n" for note in result["notes"])]
    parts += [f"![{chart}]({chart})\n" for chart in result["charts"]]
    return "\n".join(parts)


def memory_table(memory: dict[str, dict[str, Any]]) -> str:
    rows = [[name, f"{entry['peak_rss_mib']:,.0f}", f"{entry['rss_mib']:,.0f}"] for name, entry in memory.items()]
    return table(("process", "peak RSS (VmHWM), MiB", "RSS at the end, MiB"), rows)


def render_summary(results: Sequence[dict[str, Any]]) -> str:
    """All scenarios in two tables: the figures, then the targets."""
    measurements = [[result["scenario"], *measurement_cells(row)] for result in results for row in result["rows"]]
    checks = [target_cells(check) for result in results for check in result["targets"]]
    peaks = {name: max(result["memory"][name]["peak_rss_mib"] for result in results if name in result["memory"])
             for result in results for name in result["memory"]}
    dates = sorted(result["measured_at"] for result in results)
    parts = [
        f"Measured {dates[0]} to {dates[-1]}." if dates else "No results yet.",
        "",
        table(("scenario", *MEASUREMENT_HEADERS), measurements, numeric_from=2),
        table(TARGET_HEADERS, checks),
    ]
    if peaks:
        parts.append("Peak RSS over the runs: " + ", ".join(f"{name} {mib:,.0f} MiB" for name, mib in peaks.items()) + ".\n")
    return "\n".join(parts)
