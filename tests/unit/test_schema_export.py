"""``orderflow schemas export``: writes the models' schemas, never narrows a committed version, keeps old versions."""

import json
from pathlib import Path

import pytest

from ops.launcher.errors import LauncherError
from ops.schema_export import export_schemas
from schemas.json_schemas import catalog

CREATED_V2 = Path("events/OrderCreated.v2.json")


def test_an_empty_folder_gets_every_schema_and_a_second_export_writes_nothing(tmp_path: Path) -> None:
    first = export_schemas(tmp_path)
    assert sorted(first.written) == sorted(schema.path for schema in catalog()) and first.unchanged == 0
    again = export_schemas(tmp_path)
    assert again.written == [] and again.unchanged == len(first.written)


def test_a_committed_version_is_never_narrowed(tmp_path: Path) -> None:
    export_schemas(tmp_path)
    committed = json.loads((tmp_path / CREATED_V2).read_text())
    committed["$defs"]["OrderCreated"]["required"].remove("channel")  # as if v2 had been released without it
    (tmp_path / CREATED_V2).write_text(json.dumps(committed))
    (tmp_path / "events" / "ItemAdded.v1.json").unlink()
    with pytest.raises(LauncherError, match=r"(?s)nothing written.*schema_version.*OrderCreated\.v2\.json.*required"):
        export_schemas(tmp_path)
    assert json.loads((tmp_path / CREATED_V2).read_text()) == committed
    assert not (tmp_path / "events" / "ItemAdded.v1.json").exists()


def test_schemas_of_older_versions_stay(tmp_path: Path) -> None:
    older = tmp_path / "events" / "OrderCreated.v1.json"
    older.parent.mkdir(parents=True)
    older.write_text('{"title": "OrderCreated v1"}\n')
    export_schemas(tmp_path)
    assert older.read_text() == '{"title": "OrderCreated v1"}\n'
