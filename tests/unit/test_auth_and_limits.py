"""API keys to callers, body size limits before routes run, and 422 entries that name the field."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.testclient import TestClient

from common.settings import ApiKey, Scope
from common.web.auth import ANONYMOUS, Caller, caller_of
from common.web.errors import install_error_handlers
from common.web.limits import BodyLimit
from ops.settings import Settings

KEYS = {
    "shop": ApiKey(key="shop-secret", scopes=frozenset({"write"})),
    "reader": ApiKey(key="reader-secret", scopes=frozenset({"read"})),
    "ops": ApiKey.model_validate("ops-secret"),
}


# caller_of


@pytest.mark.parametrize("authorization", [None, "Bearer anything", "Basic b3BzOg=="])
def test_without_configured_keys_every_caller_is_anonymous(authorization: str | None) -> None:
    assert caller_of(authorization, {}, "write") == Caller(ANONYMOUS)


def _refusal(authorization: str | None, scope: Scope = "write") -> HTTPException:
    with pytest.raises(HTTPException) as refused:
        caller_of(authorization, KEYS, scope)
    return refused.value


@pytest.mark.parametrize("authorization", [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("Bearer", id="scheme-only"),
    pytest.param("Bearer   ", id="blank-token"),
    pytest.param("Basic shop-secret", id="wrong-scheme"),
    pytest.param("shop-secret", id="no-scheme"),
    pytest.param("Bearer shop-secret-2", id="unknown-key"),
    pytest.param("Bearer shop-secre", id="prefix-of-a-key"),
])
def test_no_known_key_is_401_with_a_bearer_challenge(authorization: str | None) -> None:
    refused = _refusal(authorization)
    assert refused.status_code == 401
    assert refused.headers == {"WWW-Authenticate": "Bearer"}


@pytest.mark.parametrize(("authorization", "scope", "name"), [
    ("Bearer shop-secret", "write", "shop"),
    ("bearer shop-secret", "write", "shop"),
    ("Bearer reader-secret", "read", "reader"),
    ("Bearer ops-secret", "read", "ops"),
    ("Bearer ops-secret", "write", "ops"),
    ("Bearer ops-secret", "admin", "ops"),
])
def test_a_known_key_with_the_scope_names_the_caller(authorization: str, scope: Scope, name: str) -> None:
    assert caller_of(authorization, KEYS, scope) == Caller(name)


@pytest.mark.parametrize(("authorization", "scope"), [("Bearer reader-secret", "write"), ("Bearer shop-secret", "read")])
def test_a_known_key_without_the_scope_is_403(authorization: str, scope: Scope) -> None:
    refused = _refusal(authorization, scope)
    assert refused.status_code == 403
    assert scope in str(refused.detail)


def test_a_bare_string_key_has_all_scopes() -> None:
    key = ApiKey.model_validate("s3cret")
    assert key.key.get_secret_value() == "s3cret"
    assert key.scopes == frozenset({"read", "write", "admin"})
    assert Settings(api_keys={"ops": "s3cret", "shop": {"key": "k", "scopes": ["write"]}}).api_keys == {
        "ops": key, "shop": ApiKey(key="k", scopes=frozenset({"write"})),
    }


# BodyLimit and install_error_handlers

MAX_BYTES = 200
STREAMED_PATH = "/stream"
STREAMED_MAX_BYTES = 1000


class Item(BaseModel):
    name: str = Field(min_length=1)
    quantity: int = Field(gt=0)


def _limited_app(ran: list[str]) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/items")
    async def create_item(item: Item) -> dict[str, Any]:
        ran.append(item.name)
        return item.model_dump()

    @app.post(STREAMED_PATH)
    async def stream(request: Request) -> dict[str, int]:
        size = sum([len(chunk) async for chunk in request.stream()])
        ran.append(STREAMED_PATH)
        return {"size": size}

    app.add_middleware(BodyLimit, max_bytes=MAX_BYTES, streamed={STREAMED_PATH: STREAMED_MAX_BYTES})
    return app


@pytest.fixture
def ran() -> list[str]:
    return []


@pytest.fixture
def client(ran: list[str]) -> Iterator[TestClient]:
    with TestClient(_limited_app(ran)) as test_client:
        yield test_client


def _item_body(size: int) -> bytes:
    """A valid item body of exactly ``size`` bytes."""
    empty = b'{"name": "", "quantity": 1}'
    return empty.replace(b'""', b'"' + b"x" * (size - len(empty)) + b'"')


def _chunked(body: bytes, piece: int = 64) -> Iterator[bytes]:
    for start in range(0, len(body), piece):
        yield body[start:start + piece]


def _post(client: TestClient, path: str, body: bytes, chunked: bool) -> Any:
    content = _chunked(body) if chunked else body
    return client.post(path, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_413_before_the_route(client: TestClient, ran: list[str], chunked: bool) -> None:
    response = _post(client, "/items", _item_body(MAX_BYTES + 1), chunked)
    assert response.status_code == 413
    assert str(MAX_BYTES) in response.json()["detail"]
    assert ran == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_up_to_the_limit_reaches_the_route(client: TestClient, ran: list[str], chunked: bool) -> None:
    response = _post(client, "/items", _item_body(MAX_BYTES), chunked)
    assert response.status_code == 200, response.text
    assert ran == ["x" * (MAX_BYTES - len(b'{"name": "", "quantity": 1}'))]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_streamed_path_is_not_counted_against_the_body_limit(
        client: TestClient, ran: list[str], chunked: bool) -> None:
    response = _post(client, STREAMED_PATH, b"x" * (MAX_BYTES * 3), chunked)
    assert response.status_code == 200, response.text
    assert response.json() == {"size": MAX_BYTES * 3}
    assert ran == [STREAMED_PATH]


def test_a_streamed_path_refuses_a_declared_length_over_its_own_limit(client: TestClient, ran: list[str]) -> None:
    response = _post(client, STREAMED_PATH, b"x" * (STREAMED_MAX_BYTES + 1), chunked=False)
    assert response.status_code == 413
    assert str(STREAMED_MAX_BYTES) in response.json()["detail"]
    assert ran == []


@pytest.mark.parametrize(("body", "fields"), [
    pytest.param(b'{"name": "lamp", "quantity": 0}', ["quantity"], id="bad-value"),
    pytest.param(b'{"quantity": 1}', ["name"], id="missing"),
    pytest.param(b'{"name": "", "quantity": "many"}', ["name", "quantity"], id="two-fields"),
])
def test_an_invalid_body_is_422_naming_each_field(
        client: TestClient, ran: list[str], body: bytes, fields: list[str]) -> None:
    response = _post(client, "/items", body, chunked=False)
    assert response.status_code == 422
    entries = response.json()["detail"]
    assert [entry["field"] for entry in entries] == fields
    assert all(entry["reason"] and entry["loc"][0] == "body" for entry in entries)
    assert ran == []


def test_a_malformed_json_body_is_422_naming_the_body(client: TestClient) -> None:
    response = _post(client, "/items", b'{"name": "lamp", "quantity": 1', chunked=False)
    assert response.status_code == 422
    assert [entry["field"] for entry in response.json()["detail"]] == ["body"]
