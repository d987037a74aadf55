"""The runtime packages stay in small pieces: no module over 300 lines, no function over 40."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ("schemas", "domain", "common", "producers", "streams", "query_api")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40
MODULES = sorted(path for package in RUNTIME_PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_the_runtime_packages_are_all_read() -> None:
    assert {path.relative_to(ROOT).parts[0] for path in MODULES} == set(RUNTIME_PACKAGES)


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_modules_and_functions_are_small(module: Path) -> None:
    source = module.read_text()
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long_functions = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long_functions == []
