"""``orderflow schemas export``: the models' JSON Schemas into ``schemas/json/``, one file per type and version.

A file stands for its version for good. Export rewrites it only with a schema that reads every record the committed
one allows, and otherwise writes nothing and says what to do: raise the type's ``schema_version`` and register an
upcaster (a read document: raise its read model's mapping version and rebuild). Files of older versions stay.
"""

from dataclasses import dataclass
from pathlib import Path

from ops.launcher.errors import LauncherError
from schemas.compatibility import narrowing
from schemas.json_schemas import COMMITTED, ExportedSchema, catalog


@dataclass(frozen=True)
class Export:
    written: list[Path]
    unchanged: int


def refusals(schemas: list[ExportedSchema], directory: Path) -> list[str]:
    """Each schema that would narrow its committed version, and how."""
    found = []
    for schema in schemas:
        committed = schema.committed(directory)
        problems = narrowing(committed, schema.schema) if committed is not None else []
        if problems:
            found.append(f"{schema.path}: {'; '.join(problems)}")
    return found


def export_schemas(directory: Path = COMMITTED) -> Export:
    schemas = catalog()
    refused = refusals(schemas, directory)
    if refused:
        raise LauncherError(
            "nothing written: these models changed in a way that records (or documents) of the same version could "
            "not pass. Raise the message type's schema_version and register an upcaster in schemas/upcasters.py "
            "(a read document: raise its mapping version in schemas/mappings.py and rebuild):\n  "
            + "\n  ".join(refused))
    written = []
    for schema in schemas:
        path = directory / schema.path
        text = schema.text()
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(schema.path)
    return Export(written, len(schemas) - len(written))
