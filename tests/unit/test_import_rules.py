"""The layers, read from the source: every ``import`` and ``from … import`` (those inside functions too) of the
project's packages, checked against the rules of the layout (README: Code layout). No import runs back up.

    schemas    the standard library and third-party packages only
    domain     schemas and the standard library only
    common     schemas, domain, standard library, third-party
    producers, streams, query_api
               common, schemas, domain, their own modules, third-party; never ops, bench, tests
               nor another process's modules
    ops, bench tooling on top: anything but tests

The pure folds (``streams/folds/``) do not reach the Elasticsearch adapter (``streams/es_sink.py``) nor a client
library, not even through another module.
"""

import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("schemas", "domain", "common", "producers", "streams", "query_api", "ops", "bench")
PROJECT = {*PACKAGES, "tests"}
PROCESSES = ("producers", "streams", "query_api")
TOOLING = ("ops", "bench")

# The project packages each package may import (itself included).
ALLOWED: dict[str, set[str]] = {
    "schemas": {"schemas"},
    "domain": {"domain", "schemas"},
    "common": {"common", "domain", "schemas"},
    **{process: {process, "common", "domain", "schemas"} for process in PROCESSES},
    **{tool: set(PACKAGES) for tool in TOOLING},
}
FOLDS = "streams.folds"
ADAPTERS = ("streams.es_sink", "elasticsearch", "confluent_kafka", "faust")

Graph = Mapping[str, set[str]]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imported_modules(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """Every module ``source`` imports, at any depth of the tree; ``from a import b`` counts ``a.b`` when that is
    a module of the project."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_package, node)
            imported.add(target)
            imported.update(f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known)
    return imported


def import_graph(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, set[str]]:
    files = {module_name(path, root): path for package in packages for path in (root / package).rglob("*.py")
             if ".venv" not in path.parts}
    known = set(files)
    return {module: imported_modules(path.read_text(encoding="utf-8"), module, path.name == "__init__.py", known)
            for module, path in files.items()}


def top(module: str) -> str:
    return module.partition(".")[0]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_violations(graph: Graph) -> list[str]:
    """``module → imported`` for each import of a project package the importer's layer may not use."""
    return sorted(f"{module} → {imported}" for module, imports in graph.items() for imported in imports
                  if top(imported) in PROJECT and top(imported) not in ALLOWED[top(module)])


def domain_third_party(graph: Graph) -> list[str]:
    """``module → imported`` for each import of ``domain`` that is neither the standard library nor schemas/domain."""
    return sorted(f"{module} → {imported}" for module, imports in graph.items() if top(module) == "domain"
                  for imported in imports
                  if top(imported) not in sys.stdlib_module_names and top(imported) not in ALLOWED["domain"])


def reached(graph: Graph, start: str) -> dict[str, str]:
    """Every module ``start`` reaches through project modules, each with the project module that imports it."""
    via: dict[str, str] = {}
    todo = [start]
    while todo:
        module = todo.pop()
        for imported in graph.get(module, ()):
            if imported not in via and imported != start:
                via[imported] = module
                todo.append(imported)
    return via


def fold_violations(graph: Graph) -> list[str]:
    """``module → imported`` for each import by which a fold reaches an adapter (directly or through others)."""
    found: set[str] = set()
    for fold in (module for module in graph if _within(module, FOLDS)):
        for imported, importer in reached(graph, fold).items():
            if any(_within(imported, adapter) for adapter in ADAPTERS):
                found.add(f"{importer} → {imported}" + ("" if importer == fold else f" (reached from {fold})"))
    return sorted(found)


def _report(rule: str, violations: list[str]) -> str:
    return f"{rule}:\n  " + "\n  ".join(violations)


GRAPH = import_graph()


def test_the_graph_covers_the_project() -> None:
    assert {top(module) for module in GRAPH} == set(PACKAGES)
    assert "common.web.errors" in GRAPH["producers.app"] and "domain.order" in GRAPH["streams.specs"]
    # An import inside a function counts too.
    assert "bench.run" in GRAPH["ops.cli"]


def test_no_import_runs_back_up() -> None:
    violations = layer_violations(GRAPH)
    assert not violations, _report("imports a layer may not use (module → imported)", violations)


def test_domain_imports_only_schemas_and_the_standard_library() -> None:
    violations = domain_third_party(GRAPH)
    assert not violations, _report("domain imports beyond schemas and the standard library", violations)


def test_folds_do_not_reach_an_adapter() -> None:
    violations = fold_violations(GRAPH)
    assert not violations, _report("folds reaching an adapter (module → imported)", violations)


# The checks themselves, on a made-up graph: each one finds what it is there to find.


def test_the_checks_find_violations() -> None:
    graph = {
        "schemas.orders": {"pydantic", "domain.order"},
        "domain.order": {"schemas.orders", "pydantic"},
        "common.settings": {"ops.launcher.errors"},
        "producers.app": {"common.settings", "streams.records", "ops.cli"},
        "query_api.app": {"query_api.search", "tests.support"},
        "streams.folds.order_view": {"streams.records"},
        "streams.records": {"streams.es_sink"},
        "ops.cli": {"producers.app", "bench.run"},
    }
    assert layer_violations(graph) == [
        "common.settings → ops.launcher.errors", "producers.app → ops.cli", "producers.app → streams.records",
        "query_api.app → tests.support", "schemas.orders → domain.order",
    ]
    assert domain_third_party(graph) == ["domain.order → pydantic"]
    assert fold_violations(graph) == ["streams.records → streams.es_sink (reached from streams.folds.order_view)"]


def test_imports_are_read_at_any_depth_and_relative_ones_resolved() -> None:
    source = "import json\nfrom . import records\ndef f():\n    from ..ops import cli\n    import streams.es_sink\n"
    known = {"streams.folds.records"}
    assert imported_modules(source, "streams.folds.view", False, known) == {
        "json", "streams.folds", "streams.folds.records", "streams.ops", "streams.es_sink",
    }
