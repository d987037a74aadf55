import pytest

from bench.markdown import measurement_cells, number, render_result, render_summary, table
from bench.readme import END, START, MarkersMissing, replace_between_markers
from bench.results import Row
from tests.unit.test_bench_results import a_result


def test_table_right_aligns_figures_and_escapes_pipes() -> None:
    assert table(("measure", "ours"), [["a|b", "1"]]) == "| measure | ours |\n| --- | ---: |\n| a\\|b | 1 |\n"


@pytest.mark.parametrize(("value", "unit", "text"), [
    (12345.6, "commands/s", "12,346 commands/s"), (42.25, "ms", "42.2 ms"), (3.14159, "ms", "3.14 ms"),
    (0.734, "× raw", "0.73 × raw"), (None, "ms", ""),
])
def test_numbers_are_rounded_by_size(value: float | None, unit: str, text: str) -> None:
    assert number(value, unit) == text


def test_a_result_renders_figures_targets_memory_and_notes() -> None:
    text = render_result(a_result().as_json())
    assert text.startswith("# Benchmark: ingest\n")
    assert "| batch (NDJSON) | 4,000 commands/s | 8,000 commands/s | 0.50 |" in text
    assert "| batch ingest | ≥ 50,000 commands/s | 4,000 commands/s | missed by 46,000 commands/s (92%) |" in text
    assert "| worker | 512 | 300 |" in text
    assert "- measured while other work ran\n" in text


def test_the_summary_has_a_row_per_figure_and_per_target() -> None:
    text = render_summary([a_result().as_json()])
    assert "| ingest | batch (NDJSON) | 4,000 commands/s | 8,000 commands/s | 0.50 |" in text
    assert "missed by 46,000 commands/s" in text
    assert "Peak RSS over the runs: worker 512 MiB." in text


def test_only_the_text_between_the_markers_is_replaced() -> None:
    readme = f"# Title\n\n## Performance\n\n{START}\nold\n{END}\n\nafter\n"
    assert replace_between_markers(readme, "new table\n") == f"# Title\n\n## Performance\n\n{START}\nnew table\n{END}\n\nafter\n"


def test_a_readme_without_markers_is_refused() -> None:
    with pytest.raises(MarkersMissing):
        replace_between_markers("# Title\n", "table")


def test_a_raw_figure_that_counts_something_else_shows_its_own_unit() -> None:
    row = Row("events replayed", 2000.0, "events/s", 10_000.0, raw_unit="documents/s").as_json()
    assert measurement_cells(row) == ["events replayed", "2,000 events/s", "10,000 documents/s", "0.20"]
