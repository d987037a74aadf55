"""dashboards/orderflow.ndjson: well-formed saved objects whose references resolve and whose fields exist in the
read-model mappings (schemas/mappings.py) with a type that fits how they are used.

Fields are found where Kibana keeps them: a data view's time field and field formats, the aggregations of a
visualization's ``visState`` (aggregation-based) or of its Vega spec (``data.url.body``), the query, columns
and sort of a saved search. Dotted paths are resolved through ``properties`` and multi-field ``fields``;
a field inside a ``nested`` object can only be aggregated under a ``nested`` aggregation of that path.
"""

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from schemas.mappings import READ_MODELS

EXPORT = Path(__file__).resolve().parents[2] / "dashboards" / "orderflow.ndjson"
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"

OBJECT_KEYS = {"type", "id", "attributes", "references", "coreMigrationVersion"}
ATTRIBUTE_KEYS = {
    "index-pattern": {"title", "timeFieldName", "fields"},
    "search": {"title", "columns", "sort", "kibanaSavedObjectMeta"},
    "visualization": {"title", "visState", "uiStateJSON", "kibanaSavedObjectMeta"},
    "dashboard": {"title", "panelsJSON", "optionsJSON", "kibanaSavedObjectMeta"},
}

# Attributes that hold JSON as a string.
JSON_ATTRIBUTES = {
    "index-pattern": {"fields", "fieldFormatMap", "fieldAttrs", "runtimeFieldMap", "sourceFilters", "typeMeta"},
    "search": set(),
    "visualization": {"visState", "uiStateJSON"},
    "dashboard": {"panelsJSON", "optionsJSON"},
}

NUMERIC = frozenset({"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float",
                     "unsigned_long"})
DATE = frozenset({"date", "date_nanos"})
EXACT = frozenset({"keyword", "constant_keyword", "boolean", "ip"}) | NUMERIC
NOT_LEAF = frozenset({"object", "nested"})
# How a field is used -> the mapping types it may have (None: any leaf field).
FITS: dict[str, frozenset[str] | None] = {
    "terms": EXACT, "sum": NUMERIC, "avg": NUMERIC, "min": NUMERIC | DATE, "max": NUMERIC | DATE,
    "cardinality": EXACT | DATE, "date_histogram": DATE, "time": DATE, "range": NUMERIC | DATE,
    "sort": EXACT | DATE, "nested": frozenset({"nested"}), "column": None, "format": None, "query": None,
}
# Uses that must run in the nested context of the field (aggregations, sorting, the time field).
CONTEXT_BOUND = {"terms", "sum", "avg", "min", "max", "cardinality", "date_histogram", "time", "range", "sort"}
FIELDLESS_AGGS = {"count"}


@dataclass(frozen=True)
class Use:
    """One field an object uses: in which read model, for what, and under which nested path (None: top level)."""

    source: str
    model: str
    field: str
    purpose: str
    nested: str | None = None


@dataclass(frozen=True)
class MappedField:
    type: str
    nested: str | None  # the innermost nested object holding the field (the field itself when it is nested)


# --- reading the export ---------------------------------------------------------------------------------------


def load_export(path: Path) -> list[dict[str, Any]]:
    """The saved objects of an export; the summary line Kibana appends (``exportedCount``) is left out."""
    lines = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [item for item in lines if "exportedCount" not in item]


def by_key(objects: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["type"], item["id"]): item for item in objects}


def nested_json(item: dict[str, Any], key: str) -> Any:
    return json.loads(item["attributes"][key])


def search_source(item: dict[str, Any]) -> dict[str, Any]:
    return json.loads(item["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])


def reference(item: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((ref for ref in item["references"] if ref["name"] == name), None)


def model_of_data_view(objects: Mapping[tuple[str, str], dict[str, Any]], item: dict[str, Any]) -> str | None:
    """The read model (alias) a visualization or search reads through its data view."""
    ref = reference(item, search_source(item).get("indexRefName", ""))
    view = objects.get(("index-pattern", ref["id"])) if ref else None
    return view["attributes"]["title"] if view else None


# --- the mappings ---------------------------------------------------------------------------------------------


def resolve(properties: Mapping[str, Any], path: str) -> MappedField | None:
    """The mapped type of a dotted path through ``properties`` and multi-field ``fields``; None when unmapped."""
    children: Mapping[str, Any] = properties
    node: Mapping[str, Any] = {}
    nested: str | None = None
    walked: list[str] = []
    for part in path.split("."):
        if part not in children:
            return None
        node = children[part]
        walked.append(part)
        if node.get("type") == "nested":
            nested = ".".join(walked)
        children = {**node.get("properties", {}), **node.get("fields", {})}
    return MappedField(node.get("type", "object"), nested)


def problems_of(use: Use) -> list[str]:
    where = f"{use.source}: {use.purpose} on {use.model}.{use.field}"
    model = READ_MODELS.get(use.model)
    if model is None:
        return [f"{where}: no read model {use.model!r} (one of {sorted(READ_MODELS)})"]
    if use.purpose not in FITS:
        return [f"{where}: no rule for {use.purpose!r}; add it to FITS"]
    mapped = resolve(model.properties, use.field)
    if mapped is None:
        return [f"{where}: not in the mapping"]
    allowed = FITS[use.purpose]
    if (allowed is None and mapped.type in NOT_LEAF) or (allowed is not None and mapped.type not in allowed):
        return [f"{where}: mapped as {mapped.type}, which does not fit"]
    if use.purpose in CONTEXT_BOUND and mapped.nested != use.nested:
        return [f"{where}: inside nested {mapped.nested!r} but used under {use.nested!r}"]
    return []


# --- the fields each kind of object uses ----------------------------------------------------------------------


def kuery_fields(query: str) -> set[str]:
    """Field names of a KQL query (``field : value``), quoted values left out."""
    unquoted = re.sub(r'"(?:\\.|[^"\\])*"', '""', query)
    return set(re.findall(r"([A-Za-z_@][\w.@]*)\s*:", unquoted))


def query_uses(source: str, model: str, search: Mapping[str, Any]) -> Iterator[Use]:
    query = search.get("query") or {}
    if query.get("language") == "kuery":
        for name in kuery_fields(query.get("query", "")):
            yield Use(source, model, name, "query")
    for item in search.get("filter") or []:
        if item.get("meta", {}).get("key"):
            yield Use(source, model, item["meta"]["key"], "query")


def data_view_uses(item: dict[str, Any]) -> Iterator[Use]:
    attributes, model = item["attributes"], item["attributes"]["title"]
    if attributes.get("timeFieldName"):
        yield Use(item["id"], model, attributes["timeFieldName"], "time")
    for name in json.loads(attributes.get("fieldFormatMap") or "{}"):
        yield Use(item["id"], model, name, "format")
    for spec in json.loads(attributes.get("fields") or "[]"):
        yield Use(item["id"], model, spec["name"], "column")


def saved_search_uses(item: dict[str, Any], model: str) -> Iterator[Use]:
    for column in item["attributes"]["columns"]:
        yield Use(item["id"], model, column, "column")
    for name, _direction in item["attributes"]["sort"]:
        yield Use(item["id"], model, name, "sort")
    yield from query_uses(item["id"], model, search_source(item))


def vis_agg_uses(item: dict[str, Any], model: str) -> Iterator[Use]:
    for agg in nested_json(item, "visState")["aggs"]:
        field = agg.get("params", {}).get("field")
        if field is not None or agg["type"] not in FIELDLESS_AGGS:
            yield Use(item["id"], model, field or "<none>", agg["type"])


def es_agg_uses(source: str, model: str, aggs: Mapping[str, Any], nested: str | None) -> Iterator[Use]:
    """Fields of an Elasticsearch ``aggs`` tree, with the nested path each one runs under."""
    for agg in aggs.values():
        inner = nested
        for kind, params in agg.items():
            if kind == "nested":
                yield Use(source, model, params["path"], "nested", nested)
                inner = params["path"]
            elif kind not in ("aggs", "aggregations") and isinstance(params, dict) and "field" in params:
                yield Use(source, model, params["field"], kind, nested)
        yield from es_agg_uses(source, model, agg.get("aggs") or agg.get("aggregations") or {}, inner)


def es_query_uses(source: str, model: str, query: Any) -> Iterator[Use]:
    """Fields of the ``range``/``term``/``terms`` clauses of an Elasticsearch query."""
    if isinstance(query, list):
        for clause in query:
            yield from es_query_uses(source, model, clause)
    elif isinstance(query, dict):
        for key, value in query.items():
            if key in ("range", "term", "terms") and isinstance(value, dict):
                yield from (Use(source, model, name, "range" if key == "range" else "terms")
                            for name in value if name != "boost")
            else:
                yield from es_query_uses(source, model, value)


def vega_urls(spec: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    data = spec.get("data") or []
    for entry in data if isinstance(data, list) else [data]:
        if isinstance(entry.get("url"), dict):
            yield entry["url"]


def vega_uses(item: dict[str, Any]) -> Iterator[Use]:
    spec = json.loads(nested_json(item, "visState")["params"]["spec"])
    for url in vega_urls(spec):
        model, body = url["index"], url.get("body") or {}
        if url.get("%timefield%"):
            yield Use(item["id"], model, url["%timefield%"], "time")
        yield from es_query_uses(item["id"], model, body.get("query"))
        yield from es_agg_uses(item["id"], model, body.get("aggs") or {}, None)


def visualization_uses(item: dict[str, Any], model: str | None) -> Iterator[Use]:
    if nested_json(item, "visState")["type"] == "vega":
        yield from vega_uses(item)
        return
    assert model is not None, f"{item['id']}: a visualization without a data view"
    yield from vis_agg_uses(item, model)
    yield from query_uses(item["id"], model, search_source(item))


def field_uses(objects: Mapping[tuple[str, str], dict[str, Any]]) -> Iterator[Use]:
    for (kind, _), item in objects.items():
        if kind == "index-pattern":
            yield from data_view_uses(item)
        elif kind == "search":
            yield from saved_search_uses(item, model_of_data_view(objects, item) or "<no data view>")
        elif kind == "visualization":
            yield from visualization_uses(item, model_of_data_view(objects, item))


def panel_reference(dashboard: dict[str, Any], panel: dict[str, Any]) -> dict[str, Any] | None:
    """A panel's saved object: ``<panelIndex>:<panelRefName>`` as Kibana 8 exports it, or the bare name."""
    return (reference(dashboard, f"{panel['panelIndex']}:{panel['panelRefName']}")
            or reference(dashboard, panel["panelRefName"]))


# --- tests ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export() -> list[dict[str, Any]]:
    return load_export(EXPORT)


@pytest.fixture(scope="module")
def objects(export: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return by_key(export)


def test_every_line_is_a_saved_object_with_the_keys_of_its_type(export: list[dict[str, Any]]) -> None:
    for item in export:
        name = f"{item.get('type')} {item.get('id')}"
        assert OBJECT_KEYS <= item.keys(), f"{name}: missing {sorted(OBJECT_KEYS - item.keys())}"
        assert "typeMigrationVersion" in item or "migrationVersion" in item, f"{name}: no migration version"
        assert item["type"] in ATTRIBUTE_KEYS, f"{name}: unexpected type"
        missing = ATTRIBUTE_KEYS[item["type"]] - item["attributes"].keys()
        assert not missing, f"{name}: attributes miss {sorted(missing)}"
    assert len(by_key(export)) == len(export), "two objects share a type and id"


def test_json_attributes_parse(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    for (kind, id_), item in objects.items():
        for key in JSON_ATTRIBUTES[kind] & item["attributes"].keys():
            nested_json(item, key)
        if "kibanaSavedObjectMeta" in item["attributes"]:
            search_source(item)
        if kind == "visualization":
            state = nested_json(item, "visState")
            assert state["title"] == item["attributes"]["title"], id_
            if state["type"] == "vega":
                json.loads(state["params"]["spec"])
        if kind == "dashboard":
            assert isinstance(nested_json(item, "panelsJSON"), list), id_


def test_every_reference_resolves_to_an_object_in_the_file(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    dangling = [f"{kind} {id_} -> {ref['type']} {ref['id']}"
                for (kind, id_), item in objects.items() for ref in item["references"]
                if (ref["type"], ref["id"]) not in objects]
    assert not dangling, dangling


def test_searches_and_visualizations_name_their_data_view_reference(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for (kind, id_), item in objects.items():
        ref_name = search_source(item).get("indexRefName") if kind in ("search", "visualization") else None
        if ref_name is not None:
            assert reference(item, ref_name) is not None, f"{kind} {id_}: no reference named {ref_name!r}"
            assert ref_name == INDEX_REF, f"{kind} {id_}: {ref_name}"


def test_data_views_are_the_read_model_aliases(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    titles = {item["attributes"]["title"] for (kind, _), item in objects.items() if kind == "index-pattern"}
    assert titles == {"orders", "order-events"}
    assert titles <= READ_MODELS.keys()


def test_every_dashboard_panel_resolves_and_every_object_is_on_a_dashboard(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    shown: set[tuple[str, str]] = set()
    for (kind, id_), item in objects.items():
        if kind != "dashboard":
            continue
        for panel in nested_json(item, "panelsJSON"):
            ref = panel_reference(item, panel)
            assert ref is not None, f"dashboard {id_}: panel {panel['panelIndex']} has no reference"
            assert panel["type"] == ref["type"], f"dashboard {id_}: panel {panel['panelIndex']}"
            shown.add((ref["type"], ref["id"]))
    panels = {key for key in objects if key[0] in ("search", "visualization")}
    assert panels <= shown, f"not on any dashboard: {sorted(panels - shown)}"


def test_every_field_is_mapped_with_a_type_that_fits(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    uses = list(field_uses(objects))
    problems = [problem for use in uses for problem in problems_of(use)]
    assert not problems, "\n".join(problems)
    assert {use.purpose for use in uses} >= {"time", "terms", "sum", "avg", "date_histogram", "nested", "sort"}


def test_the_operations_dashboard_covers_the_read_models(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    uses = {(use.model, use.field, use.purpose) for use in field_uses(objects)}
    assert {
        ("orders", "created_at", "date_histogram"), ("orders", "total_amount", "sum"),
        ("orders", "total_amount", "avg"), ("orders", "status", "terms"), ("orders", "items.product_id", "terms"),
        ("order-events", "cancel_reason", "terms"), ("orders", "created_at", "sort"),
        ("orders", "created_at", "time"), ("order-events", "occurred_at", "time"),
    } <= uses


@pytest.mark.parametrize(("use", "expected"), [
    (Use("t", "orders", "total_amount", "sum"), None),
    (Use("t", "orders", "customer.name.raw", "terms"), None),
    (Use("t", "orders", "items.quantity", "sum", nested="items"), None),
    (Use("t", "orders", "totl_amount", "sum"), "not in the mapping"),
    (Use("t", "orders", "status", "sum"), "mapped as keyword"),
    (Use("t", "orders", "customer.name", "terms"), "mapped as text"),
    (Use("t", "orders", "updated_at", "terms"), "mapped as date"),
    (Use("t", "order-events", "payload.reason", "terms"), "not in the mapping"),
    (Use("t", "orders", "items.product_id", "terms"), "inside nested 'items'"),
    (Use("t", "orders", "customer", "column"), "mapped as object"),
    (Use("t", "orders", "total_amount", "percentiles"), "no rule"),
    (Use("t", "shipments", "id", "terms"), "no read model"),
])
def test_the_field_check_catches_missing_and_unfitting_fields(use: Use, expected: str | None) -> None:
    problems = problems_of(use)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems


def test_kuery_fields_skip_quoted_values() -> None:
    assert kuery_fields('not status : ("DRAFT" or "CANCELLED") and notes : "a: b"') == {"status", "notes"}
