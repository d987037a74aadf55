"""The README's table of the latest figures, rendered from bench/results between two marker comments."""

from pathlib import Path

from bench.markdown import render_summary
from bench.results import load_all

PROJECT_README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"


class MarkersMissing(ValueError):
    pass


def replace_between_markers(text: str, content: str) -> str:
    start = text.find(START)
    end = text.find(END)
    if start < 0 or end < start:
        raise MarkersMissing(f"the README has no {START} … {END} block")
    return text[:start + len(START)] + "\n" + content.rstrip("\n") + "\n" + text[end:]


def summary(results_dir: Path, scenarios: tuple[str, ...]) -> str:
    return render_summary(load_all(results_dir, scenarios))


def update_readme(readme: Path, results_dir: Path, scenarios: tuple[str, ...]) -> None:
    readme.write_text(replace_between_markers(readme.read_text(), summary(results_dir, scenarios)))
