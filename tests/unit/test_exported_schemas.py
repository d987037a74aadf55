"""The committed JSON Schemas (schemas/json/) are the models', and a model changes only as old records allow."""

import json
from typing import Any

import jsoncompat
import pytest

from schemas.compatibility import narrowing
from schemas.json_schemas import COMMITTED, ExportedSchema, catalog, committed_versions, schema_file
from schemas.registry import MESSAGE_TYPES
from schemas.upcasters import UPCASTERS

CATALOG = catalog()
MESSAGES = [schema for schema in CATALOG if schema.kind != "documents"]
SAMPLES = 40
REGENERATE = "run `orderflow schemas export` and commit schemas/json/"
BUMP = ("raise its schema_version and register an upcaster in schemas/upcasters.py "
        "(a read document: raise the mapping version in schemas/mappings.py and rebuild); README: Changing a message")


def by_path(schema: ExportedSchema) -> str:
    return str(schema.path)


@pytest.mark.parametrize("exported", CATALOG, ids=by_path)
def test_the_committed_schema_is_the_models(exported: ExportedSchema) -> None:
    committed = exported.committed()
    assert committed is not None, f"{exported.path} is not committed: {REGENERATE}"
    assert committed == exported.schema, f"{exported.path} is not the model's schema: {REGENERATE}"


@pytest.mark.parametrize("exported", CATALOG, ids=by_path)
def test_the_model_reads_everything_its_committed_schema_of_the_same_version_allows(exported: ExportedSchema) -> None:
    committed = exported.committed()
    assert committed is not None, f"{exported.path} is not committed: {REGENERATE}"
    problems = narrowing(committed, exported.schema)
    assert not problems, f"{exported.path}: records already written may not pass the model: {problems}; {BUMP}"


@pytest.mark.parametrize("exported", MESSAGES, ids=by_path)
def test_every_version_up_to_the_current_one_is_committed_and_has_upcasters(exported: ExportedSchema) -> None:
    versions = committed_versions(exported.kind, exported.name)
    assert versions == list(range(1, exported.version + 1)), (
        f"{exported.name}: committed versions {versions}, the model is at v{exported.version}; committed schemas "
        "of released versions stay, and a version is never skipped")
    missing = [version for version in versions[:-1] if not UPCASTERS.registered(exported.name, version)]
    assert not missing, f"{exported.name}: no upcaster from v{missing} (schemas/upcasters.py)"


def older_payload_schemas() -> list[tuple[str, int, dict[str, Any]]]:
    """The payload schema of every committed version older than its type's current one."""
    found = []
    for exported in MESSAGES:
        for version in committed_versions(exported.kind, exported.name)[:-1]:
            record = json.loads((COMMITTED / exported.kind / schema_file(exported.name, version)).read_text())
            payload = record["$defs"][record["properties"]["payload"]["$ref"].removeprefix("#/$defs/")]
            found.append((exported.name, version, {"$schema": record["$schema"], **payload, "$defs": record["$defs"]}))
    return found


def test_there_is_an_older_version_to_upcast() -> None:
    assert ("OrderCreated", 1) in {(name, version) for name, version, _ in older_payload_schemas()}


@pytest.mark.parametrize(("type_name", "version", "payload_schema"), older_payload_schemas(),
                         ids=lambda value: value if isinstance(value, str | int) else "schema")
def test_payloads_any_older_version_allows_are_upcast_to_payloads_the_model_reads(
    type_name: str, version: int, payload_schema: dict[str, Any],
) -> None:
    model = MESSAGE_TYPES[type_name]
    for _ in range(SAMPLES):
        old = json.loads(jsoncompat.generate_value(json.dumps(payload_schema), 5))
        upcast = UPCASTERS.upcast(type_name, old, version, model.schema_version)
        model.model_validate_json(json.dumps(upcast))
