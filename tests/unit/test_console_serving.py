"""The console's files and settings as the query API serves them, and the command API's side of it: CORS for the
console's origin, and the admin scope on dead letters."""

import json
import re

import pytest
from starlette.testclient import TestClient

from common.settings import ApiKey
from ops.settings import Settings
from producers.app import create_app as command_api
from query_api.app import create_app as query_api
from query_api.console import CONSOLE_DIR

KEYS = {"shop": ApiKey(key="shop-secret", scopes=frozenset({"write"})), "ops": ApiKey.model_validate("ops-secret")}
IMPORT = re.compile(r'^import .* from "(\.{1,2}/[^"]+)";$', re.MULTILINE)


def test_the_console_page_is_served_at_the_root() -> None:
    answer = TestClient(query_api(Settings())).get("/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/console/js/main.js">' in answer.text


@pytest.mark.parametrize("path", ["/console/js/main.js", "/console/style.css", "/console/vendor/chart.umd.min.js"])
def test_the_console_files_are_served(path: str) -> None:
    answer = TestClient(query_api(Settings())).get(path)
    assert answer.status_code == 200 and answer.content == (CONSOLE_DIR / path.removeprefix("/console/")).read_bytes()


def test_every_module_the_console_imports_is_there() -> None:
    modules = list(CONSOLE_DIR.glob("js/**/*.js"))
    imported = {(module.parent / target).resolve() for module in modules for target in IMPORT.findall(module.read_text())}
    assert imported and imported <= {module.resolve() for module in modules}


def test_the_console_config_comes_from_the_settings() -> None:
    settings = Settings(api_keys=KEYS, command_api_port=18000, console_refresh_s=2.5)
    assert TestClient(query_api(settings)).get("/console/config").json() == {
        "command_api_url": None, "command_api_port": 18000, "keys_required": True, "refresh_s": 2.5}


def test_the_console_files_need_no_key() -> None:
    client = TestClient(query_api(Settings(api_keys=KEYS)))
    assert [client.get(path).status_code for path in ("/", "/console/config", "/console/js/api.js")] == [200, 200, 200]


def _preflight(settings: Settings, origin: str) -> dict[str, str]:
    answer = TestClient(command_api(settings)).options("/deadletters", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
    return dict(answer.headers)


@pytest.mark.parametrize("origin", ["http://127.0.0.1:18001", "http://localhost:18001"])
def test_the_command_api_lets_the_console_call_it_with_a_key(origin: str) -> None:
    headers = _preflight(Settings(query_api_port=18001), origin)
    assert headers["access-control-allow-origin"] == origin
    assert "authorization" in headers["access-control-allow-headers"].lower()


def test_the_command_api_refuses_other_origins() -> None:
    assert "access-control-allow-origin" not in _preflight(Settings(query_api_port=18001), "http://127.0.0.1:8001")


def test_configured_origins_replace_the_console_default() -> None:
    settings = Settings(console_origins=("https://ops.example.com",))
    assert _preflight(settings, "https://ops.example.com")["access-control-allow-origin"] == "https://ops.example.com"
    assert "access-control-allow-origin" not in _preflight(settings, f"http://127.0.0.1:{settings.query_api_port}")


@pytest.mark.parametrize(("authorization", "status"), [(None, 401), ("Bearer shop-secret", 403)])
def test_dead_letters_need_the_admin_scope(authorization: str | None, status: int) -> None:
    client = TestClient(command_api(Settings(api_keys=KEYS)))
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/deadletters", headers=headers).status_code == status
    assert client.post("/deadletters/0:1/resend", headers=headers).status_code == status


@pytest.mark.parametrize(("handle", "body", "field"), [
    ("0:1", {"value": "not base64!", "value_encoding": "base64"}, "value"),
    ("0:1", {"value": "\u00e9t\u00e9", "value_encoding": "base64"}, "value"),
    ("0:1", {"value": "\ud9e7 lone surrogate"}, "value"),
    ("0:1", {"value": "x" * 1_000_001}, "value"),
    ("4294967295:0", {}, "handle"),
    ("12345678901:0", {}, "handle"),
    ("0:-1", {}, "handle"),
])
def test_a_bad_resend_is_422_naming_the_field_before_kafka_is_asked(handle: str, body: dict[str, str], field: str) -> None:
    client = TestClient(command_api(Settings(api_keys=KEYS, max_body_bytes=2_000_000)))
    # json.dumps escapes what is not ASCII, lone surrogates included, as JSON allows.
    answer = client.post(f"/deadletters/{handle}/resend", content=json.dumps(body),
                         headers={"Authorization": "Bearer ops-secret", "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["detail"]] == [field]
