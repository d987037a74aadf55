"""`orderflow kibana import` into a real Kibana 8 (docker compose); skipped where none answers.

The launcher does not start Kibana: run it with `docker compose up -d kibana` (or point
KIBANA_URL at another one) to include this test.
"""

import json
import os
from pathlib import Path

import httpx
import pytest

from ops import kibana

KIBANA_URL = os.environ.get("KIBANA_URL", kibana.DEFAULT_URL)
EXPORT = Path(__file__).resolve().parents[2] / "dashboards" / "orderflow.ndjson"


def _kibana_missing() -> str | None:
    try:
        response = httpx.get(f"{KIBANA_URL}/api/status", timeout=5)
    except httpx.HTTPError as error:
        return f"no Kibana at {KIBANA_URL}: {error}"
    return None if response.status_code == 200 else f"Kibana at {KIBANA_URL} is not ready ({response.status_code})"


@pytest.fixture(scope="module")
def kibana_url() -> str:
    missing = _kibana_missing()
    if missing:
        pytest.skip(missing)
    return KIBANA_URL


def test_every_object_imports_and_the_dashboard_opens(kibana_url: str) -> None:
    expected = [json.loads(line) for line in EXPORT.read_text().splitlines() if line.strip()]

    result = kibana.import_saved_objects(kibana_url, EXPORT, overwrite=True)

    assert result.errors == ()
    assert result.success_count == len(expected)
    response = httpx.get(f"{kibana_url}/api/saved_objects/dashboard/orderflow-operations", timeout=10)
    assert response.status_code == 200
    assert response.json()["attributes"]["title"] == "orderflow operations"


def test_a_second_import_without_overwrite_reports_conflicts(kibana_url: str) -> None:
    kibana.import_saved_objects(kibana_url, EXPORT, overwrite=True)

    result = kibana.import_saved_objects(kibana_url, EXPORT)

    assert result.errors and all("already exists" in error for error in result.errors)
