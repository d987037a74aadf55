"""JSON Schemas of every record the topics carry and every read document, generated from the models.

A message's schema is that of its whole record: the envelope with ``type`` and ``schema_version`` fixed and the
payload of that version. A read document's schema carries its read model's mapping version. Both describe what the
models accept (validation mode): what a record or document must look like to be read.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, create_model

from schemas.customers import CUSTOMER_EVENTS
from schemas.documents import CustomerDocument, Document, InventoryDocument, OrderDocument, OrderEventDocument
from schemas.envelope import Payload, envelope_type
from schemas.inventory import INVENTORY_EVENTS
from schemas.mappings import CUSTOMERS, INVENTORY, ORDER_EVENTS, ORDERS, ReadModel
from schemas.orders import ORDER_EVENTS as ORDER_EVENT_TYPES
from schemas.registry import COMMAND_ROUTES, MESSAGE_TYPES

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Where the committed schemas live, one folder per kind.
COMMITTED = Path(__file__).parent / "json"

Kind = Literal["commands", "events", "derived", "documents"]
DOCUMENTS: tuple[tuple[ReadModel, type[Document]], ...] = (
    (ORDERS, OrderDocument), (ORDER_EVENTS, OrderEventDocument), (CUSTOMERS, CustomerDocument),
    (INVENTORY, InventoryDocument),
)
EVENTS: tuple[type[Payload], ...] = (*ORDER_EVENT_TYPES, *CUSTOMER_EVENTS, *INVENTORY_EVENTS)


@dataclass(frozen=True)
class ExportedSchema:
    kind: Kind
    name: str  # the message type, or the read model's alias
    version: int  # the type's schema_version, or the read model's mapping version
    schema: dict[str, Any]

    @property
    def path(self) -> Path:
        return Path(self.kind) / schema_file(self.name, self.version)

    def text(self) -> str:
        """As the file is written: stable, so a model that did not change leaves its file as it was."""
        return json.dumps(self.schema, indent=2, ensure_ascii=False) + "\n"

    def committed(self, directory: Path = COMMITTED) -> dict[str, Any] | None:
        """The schema committed for this name and version, if any."""
        path = directory / self.path
        return json.loads(path.read_text()) if path.exists() else None


def schema_file(name: str, version: int) -> str:
    return f"{name}.v{version}.json"


def committed_versions(kind: Kind, name: str, directory: Path = COMMITTED) -> list[int]:
    """The versions of ``name`` with a committed schema, oldest first."""
    prefix = f"{name}.v"
    versions = (path.name.removeprefix(prefix).removesuffix(".json") for path in (directory / kind).glob(f"{prefix}*"))
    return sorted(int(version) for version in versions if version.isdigit())


def kind_of(type_name: str) -> Kind:
    if type_name in COMMAND_ROUTES:
        return "commands"
    return "events" if MESSAGE_TYPES[type_name] in EVENTS else "derived"


def record_model(model: type[Payload]) -> type[BaseModel]:
    """The envelope of ``model`` as its records are written: its ``type`` and current ``schema_version`` fixed."""
    name, version = model.__name__, model.schema_version
    return create_model(
        f"{name}Record", __base__=envelope_type(model),
        type=(Literal[name], ...), schema_version=(Literal[version], version),  # type: ignore[arg-type]  # run-time Literals
    )


def _with_dialect(schema: dict[str, Any], title: str) -> dict[str, Any]:
    return {"$schema": DIALECT, **schema, "title": title}


def message_schema(model: type[Payload]) -> ExportedSchema:
    name, version = model.__name__, model.schema_version
    schema = _with_dialect(record_model(model).model_json_schema(), f"{name} v{version}")
    return ExportedSchema(kind_of(name), name, version, schema)


def document_schema(read_model: ReadModel, document: type[Document]) -> ExportedSchema:
    """Closed objects: the index mappings are strict, so a document never holds a field its model does not name
    (and a field added to a model widens what documents may hold)."""
    schema = _with_dialect(_closed(document.model_json_schema()), f"{read_model.alias} document v{read_model.version}")
    return ExportedSchema("documents", read_model.alias, read_model.version, schema)


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every object that lists its properties refusing others."""
    closed = {key: _closed(value) if isinstance(value, dict) else value for key, value in schema.items()}
    if "properties" in closed and closed.get("type") == "object":
        closed.setdefault("additionalProperties", False)
    if "$defs" in closed:
        closed["$defs"] = {name: _closed(definition) for name, definition in schema["$defs"].items()}
    return closed


def catalog() -> list[ExportedSchema]:
    """Every message type at its current version and every read document at its current mapping version."""
    return [*(message_schema(model) for model in MESSAGE_TYPES.values()),
            *(document_schema(read_model, document) for read_model, document in DOCUMENTS)]
